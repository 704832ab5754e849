import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEvalVaultClient, dataOf, type EvalVaultClientOptions } from './client.js';
import { ApiProblemError, ApiUnreachableError } from './problem.js';

/** One request as the server saw it. */
interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Answer = (request: Seen, response: ServerResponse) => void;

/** A real HTTP server on 127.0.0.1 answering each request with the next of `answers` (the last one repeats). */
class Gateway {
  readonly seen: Seen[] = [];
  private answers: Answer[] = [];
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const seen = {
          method: request.method ?? '',
          url: request.url ?? '',
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.seen.push(seen);
        const answer = this.answers[Math.min(this.seen.length - 1, this.answers.length - 1)];
        if (answer) answer(seen, response);
        else json(200, {})(seen, response);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  answer(...answers: Answer[]): void {
    this.answers = answers;
    this.seen.length = 0;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Answer =>
  (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };

const problem = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): Answer =>
  json(status, { type: 'about:blank', status, ...body }, { 'content-type': 'application/problem+json', ...headers });

/** The connection is dropped without an answer: fetch fails as it does on a reset. */
const hangUp: Answer = (_request, response) => response.socket?.destroy();

const SCHEDULE = {
  scheduleId: 's-1',
  name: 'nightly',
  cron: '0 2 * * *',
  timeZone: 'UTC',
  dataset: { id: 'd-1', version: 3 },
  metrics: ['token_f1'],
  status: 'active',
  nextSlotAt: '2026-01-02T02:00:00.000Z',
};

describe('the EvalVault client, against a local HTTP server', () => {
  const gateway = new Gateway();
  let slept: number[];
  let tokens: number;

  const client = (options: Partial<EvalVaultClientOptions> = {}) =>
    createEvalVaultClient({
      baseUrl: gateway.url,
      authorization: async () => `Bearer token-${++tokens}`,
      sleep: async (ms) => {
        slept.push(ms);
      },
      ...options,
    });

  beforeAll(() => gateway.start());
  afterAll(() => gateway.stop());
  beforeEach(() => {
    slept = [];
    tokens = 0;
  });

  it('calls a typed route: path parameters encoded, query, bearer credential, JSON asked for', async () => {
    gateway.answer(json(200, { items: [SCHEDULE] }));
    const page = await dataOf(
      client().GET('/v1/projects/{project}/schedules', { params: { path: { project: 'team a/b' } } }),
    );
    expect(page.items[0]?.cron).toBe('0 2 * * *');
    expect(gateway.seen).toHaveLength(1);
    expect(gateway.seen[0]).toMatchObject({
      method: 'GET',
      url: '/v1/projects/team%20a%2Fb/schedules',
      headers: { authorization: 'Bearer token-1', accept: 'application/json' },
    });
    expect(gateway.seen[0]!.headers['idempotency-key']).toBeUndefined();

    gateway.answer(json(200, { items: [], nextCursor: null, meta: { query: 'vpn', vector: false } }));
    await client().GET('/v1/projects/{project}/memory/facts', {
      params: { path: { project: 'p' }, query: { q: 'vpn', limit: 5, status: undefined } },
    });
    expect(gateway.seen[0]!.url).toBe('/v1/projects/p/memory/facts?q=vpn&limit=5');
  });

  it('keeps a path prefix of the base URL and sends no credential when the source has none', async () => {
    gateway.answer(json(200, { status: 'ok' }));
    await client({ baseUrl: `${gateway.url}/behind/proxy/`, authorization: () => null }).GET('/healthz');
    expect(gateway.seen[0]!.url).toBe('/behind/proxy/healthz');
    expect(gateway.seen[0]!.headers.authorization).toBeUndefined();
  });

  it('sends a POST with an Idempotency-Key, the same on every attempt, the credential asked once', async () => {
    const unavailable = problem(503, { title: 'Service Unavailable', detail: 'runs is restarting' });
    gateway.answer(unavailable, hangUp, json(202, { runId: 'run-1', status: 'requested', configHash: 'h' }));
    const submitted = await dataOf(
      client().POST('/v1/projects/{project}/runs', {
        params: { path: { project: 'default' } },
        body: { dataset: { id: 'd-1', version: 1 }, metrics: ['exact_match'] },
      }),
    );
    expect(submitted.runId).toBe('run-1');
    expect(gateway.seen).toHaveLength(3);
    const keys = gateway.seen.map((seen) => seen.headers['idempotency-key']);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(keys).size).toBe(1);
    // The body went with every attempt, as JSON.
    for (const seen of gateway.seen) {
      expect(seen.headers['content-type']).toBe('application/json');
      expect(JSON.parse(seen.body)).toEqual({ dataset: { id: 'd-1', version: 1 }, metrics: ['exact_match'] });
      expect(seen.headers.authorization).toBe('Bearer token-1');
    }
    expect(slept).toEqual([250, 500]);
  });

  it('keeps the Idempotency-Key the caller gives, and makes a new one for each call otherwise', async () => {
    gateway.answer(json(200, SCHEDULE));
    const api = client();
    await api.POST('/v1/projects/{project}/schedules/{scheduleId}/resume', {
      params: { path: { project: 'p', scheduleId: 's-1' }, header: { 'Idempotency-Key': 'mine-1' } },
    });
    await api.POST('/v1/projects/{project}/schedules/{scheduleId}/resume', {
      params: { path: { project: 'p', scheduleId: 's-1' } },
    });
    await api.POST('/v1/projects/{project}/schedules/{scheduleId}/resume', {
      params: { path: { project: 'p', scheduleId: 's-1' } },
    });
    const [mine, first, second] = gateway.seen.map((seen) => seen.headers['idempotency-key']);
    expect(mine).toBe('mine-1');
    expect(first).not.toBe(second);
    // No body, no content type.
    expect(gateway.seen[1]!.headers['content-type']).toBeUndefined();
  });

  it('waits as Retry-After says on a 429 (at most 30 s), with backoff otherwise', async () => {
    gateway.answer(
      problem(429, { title: 'Too Many Requests' }, { 'retry-after': '2' }),
      problem(429, { title: 'Too Many Requests' }, { 'retry-after': '3600' }),
      problem(504, { title: 'Gateway Timeout' }),
      json(200, { items: [] }),
    );
    await client().GET('/v1/projects/{project}/schedules', { params: { path: { project: 'p' } } });
    expect(slept).toEqual([2000, 30_000, 1000]);
  });

  it('gives up after four attempts and throws the last answer as its problem', async () => {
    gateway.answer(problem(502, { title: 'Bad Gateway', detail: 'no upstream' }));
    const error = await client()
      .GET('/v1/projects/{project}/schedules', { params: { path: { project: 'p' } } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiProblemError);
    expect(error).toMatchObject({ status: 502, title: 'Bad Gateway', detail: 'no upstream' });
    expect(gateway.seen).toHaveLength(4);
    expect(slept).toEqual([250, 500, 1000]);
  });

  it('throws a problem+json answer as an ApiProblemError: status, title, detail, field errors, code', async () => {
    gateway.answer(
      problem(400, {
        title: 'Invalid input',
        detail: 'The request has 2 invalid field(s).',
        code: 'VALIDATION_FAILED',
        errors: [
          { path: '/cron', message: 'is not a cron\n  expression' },
          { path: '', message: 'must have name' },
          { message: 42 },
        ],
      }),
    );
    const error = (await client()
      .POST('/v1/projects/{project}/schedules', {
        params: { path: { project: 'p' } },
        body: { name: 'n', cron: 'x', dataset: { id: 'd' }, metrics: ['m'] },
      })
      .catch((caught: unknown) => caught)) as ApiProblemError;
    expect(error).toBeInstanceOf(ApiProblemError);
    expect(error.status).toBe(400);
    expect(error.title).toBe('Invalid input');
    expect(error.detail).toBe('The request has 2 invalid field(s).');
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.type).toBe('about:blank');
    expect(error.errors).toEqual([
      { path: '/cron', message: 'is not a cron expression' },
      { path: '/', message: 'must have name' },
    ]);
    expect(error.message).toBe('400 Invalid input: The request has 2 invalid field(s).');
    // A client error is not tried again.
    expect(gateway.seen).toHaveLength(1);
  });

  it('reads an answer that is not a problem: the status text as title, its text as detail', async () => {
    gateway.answer((_request, response) => {
      response.writeHead(500, 'Internal Server Error', { 'content-type': 'text/plain' });
      response.end('  upstream\nexploded  ');
    });
    const error = await client()
      .GET('/v1/projects/{project}/schedules', { params: { path: { project: 'p' } } })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 500, title: 'Internal Server Error', detail: 'upstream exploded' });
    gateway.answer(json(404, { message: 'older answer' }));
    const older = await client()
      .GET('/v1/projects/{project}/schedules', { params: { path: { project: 'p' } } })
      .catch((caught: unknown) => caught);
    expect(older).toMatchObject({ status: 404, detail: 'older answer' });
  });

  it('tries a refused connection four times, then throws ApiUnreachableError naming the reason', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const baseUrl = `http://127.0.0.1:${port}`;
    const error = await client({ baseUrl })
      .GET('/v1/projects/{project}/schedules', { params: { path: { project: 'p' } } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiUnreachableError);
    expect((error as ApiUnreachableError).message).toBe(`cannot reach ${baseUrl}: ECONNREFUSED`);
    expect(slept).toEqual([250, 500, 1000]);
  });

  it('does not try again a call its caller aborted', async () => {
    // Answers late (unref'd: a timer left behind keeps no test process alive).
    gateway.answer((request, response) => {
      setTimeout(() => json(200, { items: [] })(request, response), 2_000).unref();
    });
    const error = await client()
      .GET('/v1/projects/{project}/schedules', {
        params: { path: { project: 'p' } },
        signal: AbortSignal.timeout(100),
      })
      .catch((caught: unknown) => caught);
    expect((error as Error).name).toBe('TimeoutError');
    expect(gateway.seen).toHaveLength(1);
    expect(slept).toEqual([]);
  });

  describe('raw, the escape hatch for streams', () => {
    it('streams an upload, made again for each attempt, with one Idempotency-Key', async () => {
      gateway.answer(
        problem(503, { title: 'Service Unavailable' }),
        json(201, { kind: 'dataset', id: 'd-1', name: 'qa', version: 1, contentHash: 'h', created: true }),
      );
      let made = 0;
      const make = (): ReadableStream<Uint8Array> => {
        made += 1;
        const lines = ['{"id":"a"}\n', '{"id":"b"}\n'];
        return new ReadableStream({
          pull(controller) {
            const line = lines.shift();
            if (line === undefined) controller.close();
            else controller.enqueue(new TextEncoder().encode(line));
          },
        });
      };
      const response = await client().raw('POST', '/v1/projects/{project}/datasets', {
        path: { project: 'p' },
        query: { name: 'qa', description: undefined },
        body: { contentType: 'application/x-ndjson', make },
      });
      expect(response.status).toBe(201);
      expect(await response.json()).toMatchObject({ id: 'd-1', version: 1 });
      expect(made).toBe(2);
      expect(gateway.seen.map((seen) => seen.url)).toEqual([
        '/v1/projects/p/datasets?name=qa',
        '/v1/projects/p/datasets?name=qa',
      ]);
      for (const seen of gateway.seen) {
        expect(seen.body).toBe('{"id":"a"}\n{"id":"b"}\n');
        expect(seen.headers['content-type']).toBe('application/x-ndjson');
      }
      expect(gateway.seen[0]!.headers['idempotency-key']).toBe(gateway.seen[1]!.headers['idempotency-key']);
    });

    it('returns an event stream unread, and throws the problem of a refused one', async () => {
      gateway.answer((_request, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.end('event: done\ndata: {}\n\n');
      });
      const stream = await client().raw('GET', '/v1/projects/{project}/runs/{runId}/events', {
        path: { project: 'p', runId: 'run 1' },
        accept: 'text/event-stream',
      });
      expect(await stream.text()).toBe('event: done\ndata: {}\n\n');
      expect(gateway.seen[0]).toMatchObject({
        url: '/v1/projects/p/runs/run%201/events',
        headers: { accept: 'text/event-stream', authorization: 'Bearer token-1' },
      });

      gateway.answer(problem(404, { title: 'Not Found', detail: 'no run run-2' }));
      const error = await client()
        .raw('GET', '/v1/projects/{project}/runs/{runId}/events', { path: { project: 'p', runId: 'run-2' } })
        .catch((caught: unknown) => caught);
      expect(error).toMatchObject({ status: 404, detail: 'no run run-2' });
    });

    it('refuses a path whose placeholder has no value', async () => {
      await expect(
        client().raw('GET', '/v1/projects/{project}/runs/{runId}/events', { path: { project: 'p' } }),
      ).rejects.toThrow('/v1/projects/{project}/runs/{runId}/events: no value for {runId}');
    });
  });
});
