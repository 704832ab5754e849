import { Registry } from 'prom-client';
import { sampleValue } from '@evalvault/platform/testing';
import type { ChatOptions, ChatRequest, ChatResponse, LlmProvider, TokenUsage } from '../llm-provider.port.js';
import { LlmError, LlmErrorCode } from '../llm-error.js';
import type { AcquireOptions, RatePermit } from '../rate-limit/postgres-rate-limiter.js';
import { llmMetrics } from './llm-metrics.js';
import { ReliableLlmProvider, type AttemptLimiter, type ReliabilityOptions } from './reliable-provider.js';

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

  const tooMany = (retryAfterMs?: number) =>
    new LlmError(LlmErrorCode.RateLimited, '429', {
      status: 429,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });

  it('does not count 429s as attempts: only the deadline ends them', async () => {
    const inner = new ScriptedProvider([tooMany(10), tooMany(10), tooMany(10), tooMany(10), tooMany(10)]);
    const { provider } = reliable(inner, { maxAttempts: 2 });
    await expect(provider.chat(request)).resolves.toEqual(answer);
    expect(inner.calls).toBe(6);
  });

  it('fails with LLM_RATE_LIMITED once waiting for the next 429 would pass the deadline', async () => {
    const inner = new ScriptedProvider([tooMany(1_000), tooMany(1_000), tooMany(1_000)]);
    const { provider } = reliable(inner, { maxWaitMs: 500 });
    await expect(provider.chat(request)).rejects.toMatchObject({ code: LlmErrorCode.RateLimited });
    expect(inner.calls).toBe(1);
  });

  it('takes the shared limit before every attempt and reports a 429 to it instead of sleeping alone', async () => {
    const events: string[] = [];
    const limiter: AttemptLimiter = {
      acquire: async (_provider: string, _model: string, options: AcquireOptions): Promise<RatePermit> => {
        events.push(`acquire ${options.tokens}`);
        return {
          waitedMs: 5,
          factor: 1,
          slotMs: 0,
          settle: async (tokens) => {
            events.push(`settle ${tokens}`);
          },
          penalize: async (retryAfterMs) => {
            events.push(`penalize ${retryAfterMs}`);
            return { factor: 0.5, pauseMs: retryAfterMs ?? 0, decreased: true };
          },
          release: async () => undefined,
        };
      },
    };
    const inner = new ScriptedProvider([tooMany(700)]);
    const { provider, waits } = reliable(inner, { limiter });
    await expect(provider.chat(request)).resolves.toEqual(answer);
    // The request's estimate (1 prompt token, 1024 answer tokens) is reserved, a 429 uses none.
    expect(events).toEqual(['acquire 1025', 'settle 0', 'penalize 700', 'acquire 1025', 'settle 2']);
    expect(waits).toEqual([]); // the limiter's pause holds the next acquire, for every worker
  });

  it('logs every retry with its attempt, status and wait, and counts attempts, retries and 429s', async () => {
    const logs: { details: object; message: string }[] = [];
    const registry = new Registry();
    const inner = new ScriptedProvider([
      tooMany(1_000),
      new LlmError(LlmErrorCode.Unavailable, '503', { status: 503 }),
    ]);
    const { provider } = reliable(inner, {
      baseDelayMs: 100,
      logger: { warn: (details, message) => logs.push({ details, message }) },
      metrics: llmMetrics(registry),
    });
    await expect(provider.chat(request)).resolves.toEqual(answer);
    expect(logs).toEqual([
      {
        message: 'LLM call failed; retrying',
        details: expect.objectContaining({ attempt: 1, status: 429, reason: 'rate_limited', waitMs: 1_000 }),
      },
      {
        message: 'LLM call failed; retrying',
        details: expect.objectContaining({ attempt: 2, status: 503, reason: 'unavailable', waitMs: 50 }),
      },
    ]);
    const values = async (name: string) => (await registry.getSingleMetric(name)!.get()).values;
    expect(await values('llm_attempts_total')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ labels: expect.objectContaining({ outcome: 'ok' }), value: 1 }),
        expect.objectContaining({ labels: expect.objectContaining({ outcome: 'rate_limited' }), value: 1 }),
        expect.objectContaining({ labels: expect.objectContaining({ outcome: 'unavailable' }), value: 1 }),
      ]),
    );
    expect(await values('llm_retries_total')).toHaveLength(2);
    expect(await values('llm_rate_limited_total')).toEqual([
      expect.objectContaining({ labels: { provider: 'scripted', model: 'm' }, value: 1 }),
    ]);
  });

  it('counts each call once by how it ended, and times every attempt by its outcome', async () => {
    const registry = new Registry();
    const metrics = llmMetrics(registry);
    const failing = new LlmError(LlmErrorCode.Unavailable, '503', { status: 503 });
    const { provider } = reliable(new ScriptedProvider([tooMany(10), failing, failing, failing]), {
      maxAttempts: 2,
      metrics,
    });
    await expect(provider.chat(request)).rejects.toBe(failing);
    const { provider: healthy } = reliable(new ScriptedProvider([]), { metrics });
    await expect(healthy.chat(request)).resolves.toEqual(answer);

    const text = await registry.metrics();
    const labels = { provider: 'scripted', model: 'm' };
    expect(sampleValue(text, 'llm_requests_total', { ...labels, outcome: 'unavailable' })).toBe(1);
    expect(sampleValue(text, 'llm_requests_total', { ...labels, outcome: 'ok' })).toBe(1);
    expect(sampleValue(text, 'llm_request_duration_seconds_count', { ...labels, outcome: 'rate_limited' })).toBe(1);
    expect(sampleValue(text, 'llm_request_duration_seconds_count', { ...labels, outcome: 'unavailable' })).toBe(2);
    expect(sampleValue(text, 'llm_request_duration_seconds_count', { ...labels, outcome: 'ok' })).toBe(1);
  });

  it('reports every billed answer, an unusable one included', async () => {
    const billed: TokenUsage[] = [];
    const unusable = new LlmError(LlmErrorCode.BadResponse, 'no content', {
      status: 200,
      usage: { promptTokens: 7, completionTokens: 3 },
    });
    const { provider } = reliable(new ScriptedProvider([unusable]));
    await expect(provider.chat(request, { onBilled: (usage) => void billed.push(usage) })).rejects.toBe(unusable);
    const { provider: working } = reliable(new ScriptedProvider([]));
    await working.chat(request, { onBilled: (usage) => void billed.push(usage) });
    expect(billed).toEqual([
      { promptTokens: 7, completionTokens: 3 },
      { promptTokens: 1, completionTokens: 1 },
    ]);
  });

  it('never pays a second time when its own bookkeeping fails after an answer', async () => {
    const inner = new ScriptedProvider([]);
    const { provider } = reliable(inner);
    const budgetDown = new Error('budget store unreachable');
    const onBilled = async (): Promise<void> => {
      throw budgetDown;
    };
    await expect(provider.chat(request, { onBilled })).rejects.toBe(budgetDown);
    expect(inner.calls).toBe(1);
  });
});
