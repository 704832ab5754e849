import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { parseObject, readBody, waitUnlessGone } from './fake-http.js';
import { anthropicVendor } from './vendors/anthropic-vendor.js';
import { type FakeApi, type FakeMessage, type FakeVendor } from './vendors/fake-vendor.js';
import { ollamaVendor } from './vendors/ollama-vendor.js';
import { azureOpenAiVendor, openAiVendor } from './vendors/openai-vendor.js';

const VENDORS: FakeVendor[] = [openAiVendor, azureOpenAiVendor, anthropicVendor, ollamaVendor];

/** A valid request as the script sees it. */
export interface FakeLlmRequest {
  api: FakeApi;
  model: string;
  messages: FakeMessage[];
  json: boolean;
  body: Record<string, unknown>;
  headers: IncomingHttpHeaders;
}

/** What to answer: text by default; a status >= 400 answers the vendor's error shape instead. */
export interface FakeReply {
  text?: string;
  status?: number;
  /** Sent as the Retry-After header (seconds or an HTTP date). */
  retryAfter?: string;
  /** Sent as the retry-after-ms header (OpenAI's finer one). */
  retryAfterMs?: number;
  /** Wait before answering (a slow model); abandoned if the client goes away. */
  delayMs?: number;
  promptTokens?: number;
  completionTokens?: number;
  model?: string;
}

export type FakeScript = (request: FakeLlmRequest) => FakeReply | Promise<FakeReply>;

/** Every HTTP request received, valid or not, with the status it got. */
export interface ReceivedRequest {
  api: FakeApi | undefined;
  path: string;
  status: number;
  headers: IncomingHttpHeaders;
}

/** A vendor's rate limit over a rolling window, as vendors state it (requests and tokens per minute). */
export interface FakeRateLimit {
  /** Requests accepted in any rolling window; more are answered 429 with Retry-After. */
  requests: number;
  /** The window; a minute for a real vendor, shorter in tests. */
  windowMs: number;
  /** Billed tokens (prompt plus completion) accepted in any rolling window. */
  tokens?: number;
}

/** What the fake was sent and what it billed: the truth a client's own counts are checked against. */
export interface FakeLlmTally {
  /** Valid chat requests received, refused ones included. */
  requests: number;
  /** Of them, answered 429 because the rolling window was full. */
  rateLimited: number;
  /** Answered 200 with usage: what a vendor would bill. */
  billedRequests: number;
  billedPromptTokens: number;
  billedCompletionTokens: number;
}

export interface FakeLlmServerOptions {
  /** Keys accepted; without them any non-empty key is accepted (only presence is checked). */
  apiKeys?: string[];
  /** Worst-case vendor: a 401 message repeats the whole key presented, to prove callers redact it. */
  echoKeyInErrors?: boolean;
  script?: FakeScript;
  /** Enforced on valid chat requests, counted from their arrival. */
  rateLimit?: FakeRateLimit;
  /** Every answer of 200 takes this long unless its reply says otherwise (a model's latency). */
  latencyMs?: number;
}

const DEFAULT_SCRIPT: FakeScript = (request) => ({ text: request.json ? '{"verdict":"yes"}' : 'fake answer' });
const approxTokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

/**
 * A local LLM vendor for tests (node:http on 127.0.0.1, port 0) that speaks the OpenAI Chat
 * Completions, Azure OpenAI, Anthropic Messages and Ollama chat formats, refuses what the
 * vendor would refuse (400/401/404, vendor-shaped) and answers as scripted: text per
 * request, delays, 5xx, 429 with Retry-After. It counts every request it receives.
 */
export class FakeLlmServer {
  readonly received: ReceivedRequest[] = [];
  /** The valid requests the script answered (or failed as told). */
  readonly requests: FakeLlmRequest[] = [];
  /** Arrival of every valid chat request (performance.now() of this process), refused ones included. */
  readonly arrivals: number[] = [];
  private readonly tally: FakeLlmTally = {
    requests: 0,
    rateLimited: 0,
    billedRequests: 0,
    billedPromptTokens: 0,
    billedCompletionTokens: 0,
  };
  /** Requests the window holds: arrival and the tokens they were billed (0 until answered). */
  private readonly window: { at: number; tokens: number }[] = [];
  private readonly queued: FakeReply[] = [];
  private script: FakeScript;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly options: FakeLlmServerOptions,
  ) {
    this.script = options.script ?? DEFAULT_SCRIPT;
  }

  static async start(options: FakeLlmServerOptions = {}): Promise<FakeLlmServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const fake = new FakeLlmServer(server, `http://127.0.0.1:${(server.address() as { port: number }).port}`, options);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      fake.handle(request, response).catch(() => response.destroy());
    });
    return fake;
  }

  /** The reply for requests without a queued one. */
  respondWith(script: FakeScript): void {
    this.script = script;
  }

  /** One-shot replies, used in order before the script (e.g. a 429, then the script's success). */
  enqueue(...replies: FakeReply[]): void {
    this.queued.push(...replies);
  }

  get requestCount(): number {
    return this.received.length;
  }

  /** What was sent and billed so far. */
  counts(): FakeLlmTally {
    return { ...this.tally };
  }

  /**
   * The most valid chat requests that arrived within any rolling window of `windowMs`
   * (default: the rate limit's), refused ones included: what a client actually sent.
   */
  maxRequestsInWindow(windowMs = this.options.rateLimit?.windowMs ?? 60_000): number {
    const times = [...this.arrivals].sort((a, b) => a - b);
    let most = 0;
    for (let first = 0, last = 0; last < times.length; last++) {
      while (times[last]! - times[first]! >= windowMs) first++;
      most = Math.max(most, last - first + 1);
    }
    return most;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    const vendor = VENDORS.find((candidate) => candidate.matches(url.pathname));
    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      this.received.push({ api: vendor?.api, path: url.pathname, status, headers: request.headers });
      response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    };
    const raw = await readBody(request);
    if (!vendor || request.method !== 'POST')
      return send(404, { error: { message: `no fake route for ${request.method} ${url.pathname}` } });
    const unroutable = vendor.unroutable?.(url);
    if (unroutable) return send(404, vendor.error(404, unroutable));
    const key = vendor.presentedKey(request.headers);
    if (
      key === undefined
        ? !vendor.keyOptional
        : this.options.apiKeys !== undefined && !this.options.apiKeys.includes(key)
    ) {
      const shown = key !== undefined && this.options.echoKeyInErrors ? `: ${key}` : '';
      return send(
        401,
        vendor.error(401, key === undefined ? 'No API key provided' : `Incorrect API key provided${shown}`),
      );
    }
    const body = parseObject(raw);
    const invalid = body ? vendor.invalid(body, request.headers) : 'We could not parse the JSON body of your request.';
    if (!body || invalid) return send(400, vendor.error(400, invalid ?? 'invalid request'));
    const fakeRequest: FakeLlmRequest = {
      api: vendor.api,
      ...vendor.normalize(body, url),
      body,
      headers: request.headers,
    };
    this.requests.push(fakeRequest);
    // Counted and checked in one synchronous step, so concurrent requests cannot share a place.
    const arrivedAt = performance.now();
    this.arrivals.push(arrivedAt);
    this.tally.requests += 1;
    const full = this.windowFull(arrivedAt);
    if (full) return this.refuse(send, vendor, full);
    const slot = { at: arrivedAt, tokens: 0 };
    this.window.push(slot);
    const reply = this.queued.shift() ?? (await this.script(fakeRequest));
    const status = reply.status ?? 200;
    const text = reply.text ?? '';
    const promptTokens =
      reply.promptTokens ?? approxTokens(fakeRequest.messages.map((message) => message.content).join(' '));
    const completionTokens = reply.completionTokens ?? approxTokens(text);
    if (status < 400) {
      const tooMany = this.tokensFull(arrivedAt, promptTokens + completionTokens, slot);
      if (tooMany) {
        this.window.splice(this.window.indexOf(slot), 1);
        return this.refuse(send, vendor, tooMany);
      }
      slot.tokens = promptTokens + completionTokens;
    }
    const delayMs = reply.delayMs ?? (status < 400 ? this.options.latencyMs : undefined);
    if (delayMs && !(await waitUnlessGone(delayMs, response))) return;
    const headers: Record<string, string> = {
      ...(reply.retryAfter === undefined ? {} : { 'retry-after': reply.retryAfter }),
      ...(reply.retryAfterMs === undefined ? {} : { 'retry-after-ms': String(reply.retryAfterMs) }),
    };
    if (status >= 400) return send(status, vendor.error(status, reply.text ?? `scripted failure ${status}`), headers);
    const answer = { text, model: reply.model ?? fakeRequest.model, promptTokens, completionTokens };
    this.tally.billedRequests += 1;
    this.tally.billedPromptTokens += promptTokens;
    this.tally.billedCompletionTokens += completionTokens;
    send(200, vendor.answer({ ...answer, sequence: this.requests.length }), headers);
  }

  /** The window's requests that still count at `now`, oldest first; older ones are dropped. */
  private inWindow(now: number): { at: number; tokens: number }[] {
    const windowMs = this.options.rateLimit?.windowMs ?? 0;
    while (this.window.length > 0 && now - this.window[0]!.at >= windowMs) this.window.shift();
    return this.window;
  }

  /** Milliseconds until the window has room for one more request, or 0 when it has room now. */
  private windowFull(now: number): number {
    const limit = this.options.rateLimit;
    if (!limit) return 0;
    const held = this.inWindow(now);
    if (held.length < limit.requests) return 0;
    return Math.max(1, Math.ceil(held[held.length - limit.requests]!.at + limit.windowMs - now));
  }

  /** Milliseconds until the window's billed tokens leave room for `tokens` more, or 0. */
  private tokensFull(now: number, tokens: number, own: { at: number; tokens: number }): number {
    const limit = this.options.rateLimit;
    if (limit?.tokens === undefined) return 0;
    const held = this.inWindow(now).filter((slot) => slot !== own);
    let total = held.reduce((sum, slot) => sum + slot.tokens, 0);
    if (total + tokens <= limit.tokens) return 0;
    for (const slot of held) {
      total -= slot.tokens;
      if (total + tokens <= limit.tokens) return Math.max(1, Math.ceil(slot.at + limit.windowMs - now));
    }
    return limit.windowMs;
  }

  /** 429 with Retry-After (whole seconds, rounded up) and OpenAI's retry-after-ms. */
  private refuse(
    send: (status: number, body: unknown, headers?: Record<string, string>) => void,
    vendor: FakeVendor,
    waitMs: number,
  ): void {
    this.tally.rateLimited += 1;
    send(429, vendor.error(429, 'Rate limit reached for requests'), {
      'retry-after': String(Math.ceil(waitMs / 1000)),
      'retry-after-ms': String(waitMs),
    });
  }
}
