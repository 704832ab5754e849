import type { ChatOptions, ChatRequest, ChatResponse, LlmProvider } from '../llm-provider.port.js';
import { LlmError, LlmErrorCode } from '../llm-error.js';
import { ReliableLlmProvider, type ReliabilityOptions } from './reliable-provider.js';

const request: ChatRequest = { model: 'm', messages: [{ role: 'user', content: 'q' }], json: false };
const answer: ChatResponse = { text: 'a', usage: { promptTokens: 1, completionTokens: 1 }, model: 'm' };

/** Fails as told, call by call, then answers. */
class ScriptedProvider implements LlmProvider {
  readonly name = 'scripted';
  calls = 0;
  constructor(private readonly failures: (Error | 'hang')[]) {}
  async chat(_request: ChatRequest, options: ChatOptions = {}): Promise<ChatResponse> {
    const failure = this.failures[this.calls++];
    if (failure === 'hang') {
      // A slow vendor: answers only when the signal gives up on it.
      await new Promise((_resolve, reject) =>
        options.signal?.addEventListener('abort', () => reject(options.signal?.reason)),
      );
    }
    if (failure) throw failure;
    return answer;
  }
}

function reliable(
  inner: LlmProvider,
  options: ReliabilityOptions = {},
): { provider: ReliableLlmProvider; waits: number[] } {
  const waits: number[] = [];
  const provider = new ReliableLlmProvider(inner, {
    random: () => 0,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...options,
  });
  return { provider, waits };
}

describe('reliable provider', () => {
  it('retries a 429 after the wait the vendor asked for', async () => {
    const inner = new ScriptedProvider([
      new LlmError(LlmErrorCode.RateLimited, '429', { status: 429, retryAfterMs: 1_000 }),
    ]);
    const { provider, waits } = reliable(inner);
    await expect(provider.chat(request)).resolves.toEqual(answer);
    expect(inner.calls).toBe(2);
    expect(waits).toEqual([1_000]);
  });

  it('backs off exponentially on 5xx and network errors', async () => {
    const inner = new ScriptedProvider([
      new LlmError(LlmErrorCode.Unavailable, '500', { status: 500 }),
      new LlmError(LlmErrorCode.Unavailable, 'ECONNRESET'),
    ]);
    const { provider, waits } = reliable(inner, { baseDelayMs: 100 });
    await expect(provider.chat(request)).resolves.toEqual(answer);
    expect(waits).toEqual([50, 100]);
  });

  it('fails at once on a non-retryable error', async () => {
    const inner = new ScriptedProvider([new LlmError(LlmErrorCode.Auth, '401', { status: 401 })]);
    const { provider, waits } = reliable(inner);
    await expect(provider.chat(request)).rejects.toMatchObject({ code: LlmErrorCode.Auth, status: 401 });
    expect(inner.calls).toBe(1);
    expect(waits).toEqual([]);
  });

  it('gives up after maxAttempts with the last error', async () => {
    const unavailable = new LlmError(LlmErrorCode.Unavailable, '503', { status: 503 });
    const inner = new ScriptedProvider([unavailable, unavailable, unavailable, unavailable]);
    const { provider } = reliable(inner, { maxAttempts: 3 });
    await expect(provider.chat(request)).rejects.toBe(unavailable);
    expect(inner.calls).toBe(3);
  });

  it('turns an attempt past its deadline into LLM_TIMEOUT, and retries it', async () => {
    const inner = new ScriptedProvider(['hang', 'hang']);
    const { provider } = reliable(inner, { timeoutMs: 20, maxAttempts: 2 });
    await expect(provider.chat(request)).rejects.toMatchObject({ code: LlmErrorCode.Timeout });
    expect(inner.calls).toBe(2);
  });

  it('does not retry once the caller aborted', async () => {
    const caller = new AbortController();
    const inner = new ScriptedProvider(['hang', 'hang']);
    const { provider } = reliable(inner, { timeoutMs: 10_000 });
    const call = provider.chat(request, { signal: caller.signal });
    caller.abort();
    await expect(call).rejects.toBeDefined();
    expect(inner.calls).toBe(1);
  });
});
