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

export interface FakeLlmServerOptions {
  /** Keys accepted; without them any non-empty key is accepted (only presence is checked). */
  apiKeys?: string[];
  /** Worst-case vendor: a 401 message repeats the whole key presented, to prove callers redact it. */
  echoKeyInErrors?: boolean;
  script?: FakeScript;
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
    const reply = this.queued.shift() ?? (await this.script(fakeRequest));
    if (reply.delayMs && !(await waitUnlessGone(reply.delayMs, response))) return;
    const status = reply.status ?? 200;
    const headers: Record<string, string> = reply.retryAfter === undefined ? {} : { 'retry-after': reply.retryAfter };
    if (status >= 400) return send(status, vendor.error(status, reply.text ?? `scripted failure ${status}`), headers);
    const text = reply.text ?? '';
    const promptTokens =
      reply.promptTokens ?? approxTokens(fakeRequest.messages.map((message) => message.content).join(' '));
    const answer = {
      text,
      model: reply.model ?? fakeRequest.model,
      promptTokens,
      completionTokens: reply.completionTokens ?? approxTokens(text),
    };
    send(200, vendor.answer({ ...answer, sequence: this.requests.length }), headers);
  }
}
