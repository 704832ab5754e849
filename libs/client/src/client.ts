import { randomUUID } from 'node:crypto';
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './generated/openapi.js';
import { ApiProblemError, ApiUnreachableError } from './problem.js';

/** Gives the Authorization header value for each request (a token may be refreshed in between); null sends none. */
export type AuthorizationSource = () => Promise<string | null> | string | null;

export interface EvalVaultClientOptions {
  /** Where the gateway is: `https://evalvault.example.com` (a path prefix is kept). */
  baseUrl: string;
  /** Asked once per call, before its first attempt: `Bearer evk_…`, or a token that may have been refreshed. */
  authorization?: AuthorizationSource;
  /** Attempts per call, the first included (4): connection errors and 429/502/503/504 are tried again. */
  attempts?: number;
  /** Waits between attempts; tests pass one that does not. */
  sleep?: (ms: number) => Promise<void>;
  /** The fetch that sends each attempt (Node's by default). */
  fetch?: (request: Request) => Promise<Response>;
}

/** Answers worth trying again: rate limited, or a proxy that found no healthy gateway for a moment. */
export const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);
export const DEFAULT_ATTEMPTS = 4;

/** A path of the REST API as the OpenAPI document names it: `/v1/projects/{project}/runs`. */
export type ApiPath = keyof paths & string;

/** A request the typed methods cannot make: a streamed body, or a response read as a stream. */
export interface RawRequest {
  /** Values for the path's `{placeholders}`, each URI-encoded. */
  path?: Record<string, string | number>;
  query?: Record<string, string | number | boolean | undefined>;
  /** The media type asked for (`text/event-stream`); application/json by default. */
  accept?: string;
  /** A body that is not JSON (an upload): its media type and a maker, called again for each attempt. */
  body?: { contentType: string; make: () => ReadableStream<Uint8Array> | string };
  /** For a POST; one is made when not given. The same key is sent on every attempt. */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

/**
 * openapi-fetch's client over the generated `paths` (`GET`, `POST`, `PUT`, `DELETE`: path, parameters,
 * body and answer typed from the OpenAPI document), with the platform's calling conventions: the
 * bearer credential from a callback, an Idempotency-Key on every POST (the same on each attempt),
 * transient failures tried again with backoff, and every non-2xx answer thrown as an ApiProblemError
 * (so a call that returns has succeeded: see `dataOf`). `raw` is the escape hatch for streams.
 */
export interface EvalVaultClient extends Client<paths> {
  readonly baseUrl: string;
  /**
   * The escape hatch for what the typed methods do not stream: a Server-Sent Events response
   * (`…/runs/{runId}/events`) or a streamed upload (NDJSON to `…/datasets`). Same credential, retries,
   * Idempotency-Key and errors; the 2xx response is returned unread.
   */
  raw(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: ApiPath, request?: RawRequest): Promise<Response>;
}

export function createEvalVaultClient(options: EvalVaultClientOptions): EvalVaultClient {
  const transport = new Transport(options);
  const client = createClient<paths>({
    baseUrl: transport.baseUrl,
    fetch: async (request) => {
      const prepared = await transport.prepare(request);
      // Each attempt sends a copy, so the body is there to send again.
      return transport.exchange(() => prepared.clone());
    },
  });
  return Object.assign(client, {
    baseUrl: options.baseUrl,
    raw: (method: string, path: ApiPath, request: RawRequest = {}) => transport.raw(method, path, request),
  });
}

/**
 * The data of a call that returned (the client throws on anything but a 2xx): openapi-fetch's
 * `data`, no longer optional. `const run = await dataOf(api.GET('/v1/projects/{project}/runs/{runId}', …))`.
 */
export async function dataOf<T>(call: Promise<{ data?: T; response: Response }>): Promise<T> {
  return (await call).data as T;
}

class Transport {
  readonly baseUrl: string;
  private readonly attempts: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly send: (request: Request) => Promise<Response>;

  constructor(private readonly options: EvalVaultClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.attempts = Math.max(1, options.attempts ?? DEFAULT_ATTEMPTS);
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.send = options.fetch ?? ((request) => fetch(request));
  }

  /** The request with the platform's headers: accept (JSON unless asked), the credential, a POST's key. */
  async prepare(request: Request): Promise<Request> {
    const headers = new Headers(request.headers);
    await this.completeHeaders(headers, request.method);
    return new Request(request, { headers });
  }

  async raw(method: string, path: ApiPath, request: RawRequest): Promise<Response> {
    const url = this.url(path, request);
    const headers = new Headers({ accept: request.accept ?? 'application/json' });
    if (request.body) headers.set('content-type', request.body.contentType);
    if (request.idempotencyKey) headers.set('idempotency-key', request.idempotencyKey);
    await this.completeHeaders(headers, method);
    return this.exchange(() => {
      // A streamed body needs half duplex (Node's fetch refuses it otherwise).
      const init: RequestInit & { duplex?: 'half' } = {
        method,
        headers,
        body: request.body?.make(),
        signal: request.signal,
        ...(request.body ? { duplex: 'half' } : {}),
      };
      return new Request(url, init);
    });
  }

  /** Sends attempts until one answers other than transiently; a non-2xx answer is thrown as its problem. */
  async exchange(attempt: () => Request): Promise<Response> {
    for (let tried = 1; ; tried++) {
      const request = attempt();
      let response: Response;
      try {
        response = await this.send(request);
      } catch (error) {
        if (request.signal.aborted) throw error;
        if (tried < this.attempts) {
          await this.sleep(backoffMs(tried));
          continue;
        }
        throw new ApiUnreachableError(this.options.baseUrl, causeOf(error));
      }
      if (response.ok) return response;
      if (TRANSIENT_STATUSES.has(response.status) && tried < this.attempts) {
        await response.body?.cancel();
        await this.sleep(retryAfterMs(response) ?? backoffMs(tried));
        continue;
      }
      throw await ApiProblemError.from(response);
    }
  }

  private async completeHeaders(headers: Headers, method: string): Promise<void> {
    if (!headers.has('accept')) headers.set('accept', 'application/json');
    const authorization = await this.options.authorization?.();
    if (authorization) headers.set('authorization', authorization);
    // Writes carry one, so a retried POST is done once; the same key goes with every attempt.
    if (method.toUpperCase() === 'POST' && !headers.has('idempotency-key'))
      headers.set('idempotency-key', randomUUID());
  }

  private url(path: string, request: RawRequest): URL {
    const filled = path.replace(/\{([^{}]+)\}/g, (_whole, name: string) => {
      const value = request.path?.[name];
      if (value === undefined) throw new TypeError(`${path}: no value for {${name}}`);
      return encodeURIComponent(String(value));
    });
    const url = new URL(`${this.baseUrl}${filled}`);
    for (const [name, value] of Object.entries(request.query ?? {}))
      if (value !== undefined) url.searchParams.set(name, String(value));
    return url;
  }
}

/** 250 ms, 500 ms, 1 s, …: after the attempt numbered `tried`. */
const backoffMs = (tried: number): number => 250 * 2 ** (tried - 1);

function retryAfterMs(response: Response): number | null {
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 30) * 1000 : null;
}

/** fetch hides the reason in `cause` (ECONNREFUSED, ENOTFOUND, …). */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
