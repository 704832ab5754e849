import { FakeLlmServer } from '../testing/index.js';
import { LlmError, LlmErrorCode } from '../llm-error.js';
import type { ChatRequest, LlmProvider } from '../llm-provider.port.js';
import { AnthropicProvider } from '../providers/anthropic.provider.js';
import { OpenAiCompatibleProvider } from '../providers/openai-compatible.provider.js';
import { ReliableLlmProvider, type ReliabilityOptions } from './reliable-provider.js';

const KEY = 'sk-live-7f3a9c2e-never-print-me';
const request: ChatRequest = {
  model: 'gpt-test',
  messages: [{ role: 'user', content: 'Grade this answer.' }],
  json: false,
};
const failure = (promise: Promise<unknown>): Promise<LlmError> =>
  promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (caught: unknown) => caught as LlmError,
  );

describe('reliability over HTTP', () => {
  let server: FakeLlmServer;
  let waits: number[];
  const reliable = (inner: LlmProvider, options: ReliabilityOptions = {}) =>
    new ReliableLlmProvider(inner, {
      sleep: async (ms) => {
        waits.push(ms);
      },
      baseDelayMs: 10,
      ...options,
    });
  const openAi = (key = KEY) => new OpenAiCompatibleProvider({ baseUrl: server.url, apiKey: async () => key });

  beforeEach(async () => {
    server = await FakeLlmServer.start({ apiKeys: [KEY], echoKeyInErrors: true });
    server.respondWith(() => ({ text: 'graded' }));
    waits = [];
  });
  afterEach(async () => {
    await server.close();
  });

  it('waits out a 429 for its Retry-After, then succeeds', async () => {
    server.enqueue({ status: 429, retryAfter: '2' });
    await expect(reliable(openAi()).chat(request)).resolves.toMatchObject({ text: 'graded' });
    expect(server.received.map((received) => received.status)).toEqual([429, 200]);
    expect(waits).toEqual([2_000]);
  });

  it('honours Retry-After given as an HTTP date, and caps it', async () => {
    server.enqueue({ status: 429, retryAfter: new Date(Date.now() + 3_600_000).toUTCString() });
    await expect(reliable(openAi(), { maxDelayMs: 5_000 }).chat(request)).resolves.toMatchObject({ text: 'graded' });
    expect(waits).toEqual([5_000]);
  });

  it("retries a 500 (and Anthropic's 529) then succeeds", async () => {
    server.enqueue({ status: 500 }, { status: 529 });
    const anthropic = new AnthropicProvider({ baseUrl: server.url, apiKey: async () => KEY });
    await expect(reliable(anthropic).chat(request)).resolves.toMatchObject({ text: 'graded' });
    expect(server.requestCount).toBe(3);
    expect(waits).toHaveLength(2);
  });

  it('gives up after maxAttempts on a vendor that keeps failing', async () => {
    server.respondWith(() => ({ status: 503 }));
    const error = await failure(reliable(openAi(), { maxAttempts: 4 }).chat(request));
    expect(error).toMatchObject({ code: LlmErrorCode.Unavailable, status: 503 });
    expect(server.requestCount).toBe(4);
  });

  it('reports a slow answer as LLM_TIMEOUT, per attempt', async () => {
    server.respondWith(() => ({ text: 'too late', delayMs: 5_000 }));
    const error = await failure(reliable(openAi(), { timeoutMs: 100, maxAttempts: 2 }).chat(request));
    expect(error).toBeInstanceOf(LlmError);
    expect(error.code).toBe(LlmErrorCode.Timeout);
    expect(server.requests).toHaveLength(2);
  });

  it('fails a 401 at once as LLM_AUTH, without retrying', async () => {
    const error = await failure(reliable(openAi('sk-wrong-key-123')).chat(request));
    expect(error).toMatchObject({ code: LlmErrorCode.Auth, status: 401 });
    expect(server.requestCount).toBe(1);
    expect(waits).toEqual([]);
  });

  it('fails a 400 at once as LLM_BAD_REQUEST', async () => {
    const error = await failure(reliable(openAi()).chat({ ...request, temperature: 7 }));
    expect(error).toMatchObject({
      code: LlmErrorCode.BadRequest,
      status: 400,
      message: expect.stringMatching(/temperature/),
    });
    expect(server.requestCount).toBe(1);
  });

  it('reports an unreachable vendor as LLM_UNAVAILABLE after retrying', async () => {
    const url = server.url;
    await server.close();
    const gone = new OpenAiCompatibleProvider({ baseUrl: url, apiKey: async () => KEY });
    const error = await failure(reliable(gone, { maxAttempts: 2 }).chat(request));
    expect(error.code).toBe(LlmErrorCode.Unavailable);
    expect(waits).toHaveLength(1);
    server = await FakeLlmServer.start();
  });

  it('never puts the key or the request body in an error, even when the vendor echoes the key', async () => {
    const wrongKey = 'sk-rejected-4b1d8e0f-secret';
    const secretPrompt = 'PATIENT RECORD 991: confidential';
    const error = await failure(
      reliable(openAi(wrongKey)).chat({ ...request, messages: [{ role: 'user', content: secretPrompt }] }),
    );
    expect(JSON.stringify(server.received.at(-1)?.headers)).toContain(wrongKey); // it was sent...
    const everything = [error.message, error.stack, JSON.stringify(error), String(error.cause)].join('\n');
    expect(error.message).toMatch(/\[redacted\]/); // ...the vendor repeated it...
    expect(everything).not.toContain(wrongKey); // ...and it went no further
    expect(everything).not.toContain(secretPrompt);
  });
});
