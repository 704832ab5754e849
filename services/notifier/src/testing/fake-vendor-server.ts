import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';

/** One request a fake vendor received, with what was wrong with it by the vendor's documented format. */
export interface ReceivedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  /** The body's bytes (an OTLP protobuf request is not text). */
  rawBytes: Buffer;
  body: unknown;
  problems: string[];
  /** When it arrived (epoch ms). */
  receivedAt: number;
}

export interface VendorAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** How the next matching request is treated, before the vendor logic runs. */
export type Behaviour =
  | { kind: 'fail'; status: number; body?: unknown }
  | { kind: 'throttle'; retryAfter: string }
  | { kind: 'slow'; delayMs: number }
  /**
   * The vendor does the work (e.g. creates the issue) and holds the answer until released: a caller killed
   * meanwhile never learns it.
   */
  | { kind: 'hold' };

/**
 * A local HTTP server standing for a SaaS vendor in tests: it checks each request against the
 * vendor's documented format (subclasses say how), records it, and can be told to be slow,
 * fail with a 5xx, answer 429 with Retry-After, or hold its answer.
 */
export abstract class FakeVendorServer {
  readonly received: ReceivedRequest[] = [];
  private server?: Server;
  private readonly behaviours: { matches: (request: ReceivedRequest) => boolean; behaviour: Behaviour }[] = [];
  private readonly held: (() => void)[] = [];
  private heldWaiters: (() => void)[] = [];
  url = '';

  protected abstract handle(request: ReceivedRequest): VendorAnswer;

  async listen(): Promise<this> {
    this.server = createServer((req, res) => void this.serve(req, res));
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    const { port } = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${port}`;
    return this;
  }

  /** The next `times` requests matching `path` and `method` (default: any) get this behaviour. */
  next(behaviour: Behaviour, times = 1, path?: RegExp, method?: string): this {
    const matches = (request: ReceivedRequest): boolean =>
      (!path || path.test(request.path)) && (!method || request.method === method);
    for (let index = 0; index < times; index++) this.behaviours.push({ matches, behaviour });
    return this;
  }

  /** Resolves once a request is being held. */
  async whenHolding(): Promise<void> {
    if (this.held.length > 0) return;
    await new Promise<void>((resolve) => this.heldWaiters.push(resolve));
  }

  releaseHeld(): void {
    this.held.splice(0).forEach((release) => release());
  }

  /** Requests the vendor accepted (valid, not turned away by a behaviour), optionally on one path. */
  accepted(path?: RegExp): ReceivedRequest[] {
    return this.received.filter(
      (request) =>
        request.problems.length === 0 &&
        (!path || path.test(request.path)) &&
        !(request as { turnedAway?: boolean }).turnedAway,
    );
  }

  async close(): Promise<void> {
    this.releaseHeld();
    this.server?.closeAllConnections();
    if (this.server?.listening) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBytes = Buffer.concat(chunks);
    const rawBody = rawBytes.toString('utf8');
    const binary = /protobuf/.test(String(req.headers['content-type'] ?? ''));
    const url = new URL(req.url ?? '/', 'http://fake');
    let body: unknown = null;
    const problems: string[] = [];
    if (rawBody && !binary) {
      try {
        body = JSON.parse(rawBody);
      } catch {
        problems.push('body is not JSON');
      }
    }
    const request: ReceivedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      rawBody,
      rawBytes,
      body,
      problems,
      receivedAt: Date.now(),
    };
    this.received.push(request);
    const index = this.behaviours.findIndex((entry) => entry.matches(request));
    const behaviour = index >= 0 ? this.behaviours.splice(index, 1)[0]!.behaviour : null;
    const answer = await this.answer(request, behaviour);
    if (res.destroyed) return;
    res.writeHead(answer.status, {
      ...(typeof answer.body === 'string' ? { 'content-type': 'text/plain' } : { 'content-type': 'application/json' }),
      ...answer.headers,
    });
    res.end(
      answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body),
    );
  }

  private async answer(request: ReceivedRequest, behaviour: Behaviour | null): Promise<VendorAnswer> {
    const turnAway = (answer: VendorAnswer): VendorAnswer => {
      (request as { turnedAway?: boolean }).turnedAway = true;
      return answer;
    };
    switch (behaviour?.kind) {
      case 'fail':
        return turnAway({ status: behaviour.status, body: behaviour.body ?? { message: 'fake outage' } });
      case 'throttle':
        return turnAway({
          status: 429,
          body: { message: 'rate limited' },
          headers: { 'retry-after': behaviour.retryAfter },
        });
      case 'slow':
        await new Promise((resolve) => setTimeout(resolve, behaviour.delayMs));
        return this.handle(request);
      case 'hold': {
        const answer = this.handle(request);
        await new Promise<void>((resolve) => {
          this.held.push(resolve);
          this.heldWaiters.splice(0).forEach((wake) => wake());
        });
        return answer;
      }
      default:
        return this.handle(request);
    }
  }
}

/** Field checks shared by the fakes: each returns the problem, or nothing. */
export const check = {
  string(value: unknown, path: string, problems: string[], max?: number): value is string {
    if (typeof value !== 'string' || value.length === 0) {
      problems.push(`${path} must be a non-empty string`);
      return false;
    }
    if (max !== undefined && value.length > max) {
      problems.push(`${path} must be at most ${max} characters`);
      return false;
    }
    return true;
  },
  object(value: unknown, path: string, problems: string[]): value is Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push(`${path} must be an object`);
      return false;
    }
    return true;
  },
  array(value: unknown, path: string, problems: string[], max?: number): value is unknown[] {
    if (!Array.isArray(value)) {
      problems.push(`${path} must be an array`);
      return false;
    }
    if (max !== undefined && value.length > max) {
      problems.push(`${path} must have at most ${max} items`);
      return false;
    }
    return true;
  },
  oneOf(value: unknown, path: string, allowed: readonly string[], problems: string[]): boolean {
    if (typeof value !== 'string' || !allowed.includes(value)) {
      problems.push(`${path} must be one of ${allowed.join(', ')}`);
      return false;
    }
    return true;
  },
  url(value: unknown, path: string, problems: string[]): boolean {
    if (typeof value !== 'string' || !/^https?:\/\/\S+$/.test(value)) {
      problems.push(`${path} must be an http(s) URL`);
      return false;
    }
    return true;
  },
};
