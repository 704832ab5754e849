import type { BlockList } from 'node:net';
import { checkEgress, resolveEgress, systemLookup, type EgressLookup } from '@evalvault/platform';
import { LlmError, LlmErrorCode } from '../llm-error.js';
import type { ChatOptions, ChatRequest, ChatResponse, LlmProvider } from '../llm-provider.port.js';

/** A model server on the same host or pod (Ollama's default): always reachable, never listed. */
const LOOPBACK = ['127.0.0.1', 'localhost', '::1'];

/** An LLM provider configured on a host the egress allow-list does not name. */
export class LlmEgressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LlmEgressError';
  }
}

/**
 * Checks an LLM provider's base URL against the egress allow-list (EVALVAULT_EGRESS_ALLOW, the
 * notifier's list) when the judge is built, at the service's start: the judge sends evaluated
 * answers and contexts, so a provider host nobody listed stops the start rather than receive them.
 * https to a listed host; plain http only to loopback or to a host listed exactly (a model server
 * inside the deployment's network). Names only: addressCheckedProvider checks the addresses.
 */
export function assertProviderEgress(provider: string, baseUrl: string, allow: readonly string[]): void {
  const what = `LLM provider ${provider} base URL ${JSON.stringify(baseUrl)}:`;
  const verdict = checkEgress(baseUrl, [...allow, ...LOOPBACK], what, { plainHttpToListedHosts: true });
  if (!verdict.allowed) throw new LlmEgressError(`${verdict.reason}; list its host there, or choose another provider`);
}

export interface ProviderEgressPolicy {
  allow: readonly string[];
  /** EVALVAULT_EGRESS_ALLOW_PRIVATE, parsed: private addresses a listed name may resolve to. */
  allowPrivate: BlockList;
  /** node:dns unless a test gives a stand-in. */
  lookup?: EgressLookup;
}

/**
 * The provider, with its base URL's host resolved and every address checked before each call
 * (private, loopback, link-local and cloud-metadata addresses refused unless allowed; a literal
 * loopback address or `localhost` stays allowed, as at start). Redirects are not followed
 * (postJson). Refusals are LLM_BAD_REQUEST (never retried); a failed lookup is LLM_UNAVAILABLE.
 */
export function addressCheckedProvider(inner: LlmProvider, baseUrl: string, policy: ProviderEgressPolicy): LlmProvider {
  const what = `LLM provider ${inner.name} base URL ${JSON.stringify(baseUrl)}:`;
  const allow = { allow: [...policy.allow, ...LOOPBACK], allowPrivate: policy.allowPrivate };
  const check = async (): Promise<void> => {
    let verdict;
    try {
      verdict = await resolveEgress(baseUrl, allow, what, policy.lookup ?? systemLookup, {
        plainHttpToListedHosts: true,
      });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new LlmError(
        LlmErrorCode.Unavailable,
        `${inner.name} host could not be resolved${typeof code === 'string' ? ` (${code})` : ''}`,
      );
    }
    if (!verdict.allowed) throw new LlmError(LlmErrorCode.BadRequest, verdict.reason);
  };
  return {
    name: inner.name,
    async chat(request: ChatRequest, options?: ChatOptions): Promise<ChatResponse> {
      await check();
      return inner.chat(request, options);
    },
  };
}
