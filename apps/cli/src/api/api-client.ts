import { randomUUID } from 'node:crypto';
import { CliError } from '../errors.js';
import { problemFrom } from './problem.js';

/** Gives the Authorization header value for each request (a token may be refreshed in between). */
export type AuthorizationSource = () => Promise<string | null>;

export interface RequestOptions {
  body?: unknown;
  /** A body that is not JSON (an upload): its media type and a maker, called again for each retry. */
  raw?: { contentType: string; make: () => ReadableStream<Uint8Array> | string };
  query?: Record<string, string | number | boolean | undefined>;
  /** Writes carry one; the same key is sent again on every retry, so nothing is done twice. */
  idempotencyKey?: string;
}

const TRANSIENT_STATUSES = new Set([429, 502, 503, 504]);
const ATTEMPTS = 4;

/**
 * The gateway's public REST API over Node's fetch. Transient failures (connection refused or
 * reset, 429, 502–504) are retried with backoff; that is safe for writes too because each
 * carries an Idempotency-Key. Other failures become an ApiError with the problem's detail.
 */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly authorization: AuthorizationSource,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  async get<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return (await (await this.send('GET', path, options)).json()) as T;
  }

  async post<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return (await (await this.send('POST', path, { idempotencyKey: randomUUID(), ...options })).json()) as T;
  }

  /** A whole replacement (a policy): PUT is idempotent by nature, retried like a GET. */
  async put<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return (await (await this.send('PUT', path, options)).json()) as T;
  }

  /** A removal (a schedule): idempotent by nature, retried like a GET. */
  async delete<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return (await (await this.send('DELETE', path, options)).json()) as T;
  }

  /** A response to read as a stream (Server-Sent Events); a non-2xx answer throws its problem. */
  async open(path: string, accept: string, signal?: AbortSignal): Promise<Response> {
    return this.send('GET', path, { accept, signal });
  }

  private async send(
    method: string,
    path: string,
    options: RequestOptions & { accept?: string; signal?: AbortSignal },
  ): Promise<Response> {
    const url = this.url(path, options.query);
    const headers = new Headers({ accept: options.accept ?? 'application/json' });
    const authorization = await this.authorization();
    if (authorization) headers.set('authorization', authorization);
    if (options.body !== undefined) headers.set('content-type', 'application/json');
    if (options.raw) headers.set('content-type', options.raw.contentType);
    if (options.idempotencyKey) headers.set('idempotency-key', options.idempotencyKey);
    const json = options.body === undefined ? undefined : JSON.stringify(options.body);
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        const body = options.raw ? options.raw.make() : json;
        // A streamed body needs half duplex (Node's fetch refuses it otherwise).
        const init: RequestInit & { duplex?: 'half' } = {
          method,
          headers,
          body,
          signal: options.signal,
          ...(options.raw ? { duplex: 'half' } : {}),
        };
        response = await fetch(url, init);
      } catch (error) {
        if (options.signal?.aborted) throw error;
        if (attempt < ATTEMPTS) {
          await this.sleep(backoffMs(attempt));
          continue;
        }
        throw new CliError('network', `cannot reach ${this.baseUrl}: ${causeOf(error)}`);
      }
      if (response.ok) return response;
      if (TRANSIENT_STATUSES.has(response.status) && attempt < ATTEMPTS) {
        await response.body?.cancel();
        await this.sleep(retryAfterMs(response) ?? backoffMs(attempt));
        continue;
      }
      throw await problemFrom(response);
    }
  }

  private url(path: string, query: RequestOptions['query'] = {}): URL {
    const url = new URL(path, this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`);
    for (const [name, value] of Object.entries(query))
      if (value !== undefined) url.searchParams.set(name, String(value));
    return url;
  }
}

const backoffMs = (attempt: number): number => 250 * 2 ** (attempt - 1);

function retryAfterMs(response: Response): number | null {
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 30) * 1000 : null;
}

/** fetch hides the reason in `cause` (ECONNREFUSED, ENOTFOUND, …). */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
