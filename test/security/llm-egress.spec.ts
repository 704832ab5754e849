import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  addressCheckedProvider,
  LlmError,
  LlmErrorCode,
  OpenAiCompatibleProvider,
  type ChatResponse,
  type LlmProvider,
} from '@evalvault/llm';
import { parseAddressRanges, type EgressLookup } from '@evalvault/platform';
import { loadConfig } from '../../services/runs/src/config.js';

/**
 * SSRF through the judge's base URL: the host is resolved (by a stand-in lookup) and every address
 * checked before each call; a redirect is never followed, even to loopback.
 */
const request = { model: 'judge-1', messages: [{ role: 'user' as const, content: 'q' }], json: true };
const answer: ChatResponse = { text: '{}', usage: { promptTokens: 1, completionTokens: 1 }, model: 'judge-1' };

function countingProvider(): LlmProvider & { calls: number } {
  const provider = {
    name: 'openai',
    calls: 0,
    chat: async () => {
      provider.calls += 1;
      return answer;
    },
  };
  return provider;
}

const resolvingTo =
  (...addresses: string[]): EgressLookup =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

const checked = (inner: LlmProvider, lookup: EgressLookup, allowPrivate: string[] = []) =>
  addressCheckedProvider(inner, 'https://llm.example.com', {
    allow: ['*.example.com'],
    allowPrivate: parseAddressRanges(allowPrivate),
    lookup,
  });

describe('LLM base URLs are checked after DNS resolution', () => {
  it.each([
    ['169.254.169.254', 'link-local'],
    ['fd00:ec2::254', 'private'],
    ['10.0.0.5', 'private'],
    ['127.0.0.1', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
  ])('refuses a listed name that resolves to %s (%s) before any request', async (address, kind) => {
    const inner = countingProvider();
    const call = checked(inner, resolvingTo('93.184.215.14', address)).chat(request);
    await expect(call).rejects.toThrow(`host llm.example.com resolves to ${address}`);
    await expect(call).rejects.toThrow(kind);
    await expect(call).rejects.toMatchObject({ code: LlmErrorCode.BadRequest, retryable: false });
    expect(inner.calls).toBe(0);
  });

  it('calls public addresses, and a private one only when EVALVAULT_EGRESS_ALLOW_PRIVATE covers it', async () => {
    const inner = countingProvider();
    await expect(checked(inner, resolvingTo('93.184.215.14')).chat(request)).resolves.toEqual(answer);
    await expect(checked(inner, resolvingTo('10.0.0.5'), ['10.0.0.0/8']).chat(request)).resolves.toEqual(answer);
    // The cloud metadata address stays refused when only another private range is allowed.
    await expect(checked(inner, resolvingTo('169.254.169.254'), ['10.0.0.0/8']).chat(request)).rejects.toThrow(
      'cloud metadata',
    );
    expect(inner.calls).toBe(2);
  });

  it('re-resolves on every call: a name rebound to a private address is refused on the next one', async () => {
    const inner = countingProvider();
    let next = '93.184.215.14';
    const provider = checked(inner, async () => [{ address: next, family: 4 }]);
    await provider.chat(request);
    next = '169.254.169.254';
    await expect(provider.chat(request)).rejects.toThrow('resolves to 169.254.169.254');
    expect(inner.calls).toBe(1);
  });

  it('answers a failed lookup as retryable LLM_UNAVAILABLE', async () => {
    const failing: EgressLookup = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    await expect(checked(countingProvider(), failing).chat(request)).rejects.toMatchObject({
      code: LlmErrorCode.Unavailable,
      message: 'openai host could not be resolved (ENOTFOUND)',
    });
  });

  it('refuses a bad EVALVAULT_EGRESS_ALLOW_PRIVATE at start, naming the variable', () => {
    expect(() => loadConfig({ EVALVAULT_EGRESS_ALLOW_PRIVATE: '10.0.0.0/99' })).toThrow(
      'EVALVAULT_EGRESS_ALLOW_PRIVATE',
    );
  });
});

describe('LLM calls never follow a redirect', () => {
  let redirecting: Server;
  let target: Server;
  let targetHits = 0;
  const port = (server: Server) => (server.address() as AddressInfo).port;

  beforeAll(async () => {
    target = createServer((_req, res) => {
      targetHits += 1;
      res.end('{"choices":[]}');
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    redirecting = createServer((_req, res) => {
      res.writeHead(307, { location: `http://127.0.0.1:${port(target)}/latest/meta-data/` }).end();
    });
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => redirecting.close(resolve));
    await new Promise((resolve) => target.close(resolve));
  });

  it('fails with a clear error on a 307 to a private address, and the target is never reached', async () => {
    const provider = addressCheckedProvider(
      new OpenAiCompatibleProvider({
        baseUrl: `http://127.0.0.1:${port(redirecting)}`,
        apiKey: async () => 'planted-provider-key',
      }),
      `http://127.0.0.1:${port(redirecting)}`,
      { allow: [], allowPrivate: parseAddressRanges([]) },
    );
    const call = provider.chat(request);
    await expect(call).rejects.toBeInstanceOf(LlmError);
    await expect(call).rejects.toThrow('openai answered 307, a redirect, which is not followed (egress control)');
    expect(targetHits).toBe(0);
  });
});
