import type { SecretResolver } from '@evalvault/platform';
import type { DeliveryFailure } from '../notification/notification.decider.js';
import { parseRetryAfter } from './backoff.js';
import { checkEgress } from './egress.js';

export interface HttpAnswer {
  status: number;
  body: string;
  retryAfter: string | null;
}

/** What every adapter needs to reach a vendor: the allow-list, a timeout, secrets, a clock. */
export interface HttpDeliveryOptions {
  egressAllow: readonly string[];
  timeoutMs: number;
  secrets: SecretResolver;
  now: () => number;
}

/** A failed delivery step; its message names hosts and references, never a secret or a secret-bearing URL. */
export class DeliveryStepError extends Error {
  constructor(readonly failure: DeliveryFailure) {
    super(failure.error);
    this.name = 'DeliveryStepError';
  }
}

const fail = (
  error: string,
  permanent: boolean,
  statusCode: number | null = null,
  retryAfterMs: number | null = null,
): DeliveryStepError => new DeliveryStepError({ error, permanent, statusCode, retryAfterMs });

/** Resolves a secret reference; a missing secret may appear (a mounted file), so it is worth retrying. */
export async function resolveSecret(secrets: SecretResolver, ref: string): Promise<string> {
  try {
    return await secrets(ref);
  } catch {
    throw fail(`secret ${ref} cannot be resolved`, false);
  }
}

/**
 * One HTTP request to a vendor, checked against the egress allow-list first, aborted after the
 * timeout. Answers any status; throws a DeliveryStepError for what never got an answer.
 */
export async function httpCall(
  options: HttpDeliveryOptions,
  what: string,
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
): Promise<HttpAnswer> {
  const egress = checkEgress(url, options.egressAllow, what);
  if (!egress.allowed) throw fail(egress.reason, true);
  const host = egress.url.host;
  try {
    const response = await fetch(egress.url, {
      ...init,
      redirect: 'error',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    return { status: response.status, body: await response.text(), retryAfter: response.headers.get('retry-after') };
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError')
      throw fail(`${what}: no answer from ${host} within ${options.timeoutMs} ms`, false);
    const code = (error as { cause?: { code?: string } }).cause?.code ?? name;
    throw fail(`${what}: request to ${host} failed (${code})`, false);
  }
}

/**
 * A non-2xx answer as a failure: 429, 408 and 5xx are worth retrying (after Retry-After when
 * given); any other 4xx is the request's fault and is final. The vendor's words are kept,
 * short, with every secret of the call blanked out.
 */
export function failureOf(
  what: string,
  answer: HttpAnswer,
  now: number,
  secrets: readonly string[],
): DeliveryStepError {
  const retryable = answer.status === 429 || answer.status === 408 || answer.status >= 500;
  let said = answer.body.slice(0, 300).replace(/\s+/g, ' ').trim();
  for (const secret of secrets) if (secret) said = said.replaceAll(secret, '[redacted]');
  return fail(
    `${what}: HTTP ${answer.status}${said ? ` ${said}` : ''}`,
    !retryable,
    answer.status,
    parseRetryAfter(answer.retryAfter, now),
  );
}

export const isSuccess = (answer: HttpAnswer): boolean => answer.status >= 200 && answer.status < 300;
