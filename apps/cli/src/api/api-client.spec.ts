import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CliError } from '../errors.js';
import { ApiClient } from './api-client.js';
import { ApiError } from './problem.js';

/** The typed client's failures as the CLI has always reported them: ApiError and the `network` CliError. */
describe('ApiClient errors', () => {
  let server: Server;
  let url: string;
  let answer: { status: number; body: unknown };

  beforeAll(async () => {
    server = createServer((request, response) => {
      request.resume();
      response.writeHead(answer.status, { 'content-type': 'application/problem+json' });
      response.end(JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const client = () =>
    new ApiClient(
      url,
      async () => 'Bearer k',
      async () => undefined,
    );
  const failureOf = (promise: Promise<unknown>): Promise<unknown> =>
    promise.then(
      () => null,
      (error: unknown) => error,
    );

  it('throws a problem as an ApiError: the reason spells out three field errors, the rest above it', async () => {
    const errors = ['a', 'b', 'c', 'd'].map((field) => ({ path: `/${field}`, message: `bad ${field}` }));
    answer = { status: 400, body: { title: 'Invalid input', detail: 'The request has 4 invalid field(s).', errors } };
    const error = await failureOf(
      client().api.POST('/v1/projects/{project}/schedules', {
        params: { path: { project: 'p' } },
        body: { name: 'n', cron: 'x', dataset: { id: 'd' }, metrics: ['m'] },
      }),
    );
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ kind: 'api', status: 400, title: 'Invalid input', errors });
    expect((error as ApiError).message).toBe(
      '400 Invalid input: The request has 4 invalid field(s). /a: bad a; /b: bad b; /c: bad c; and 1 more (above)',
    );
    expect((error as ApiError).details).toEqual([
      'evalvault: /a: bad a',
      'evalvault: /b: bad b',
      'evalvault: /c: bad c',
      'evalvault: /d: bad d',
    ]);
  });

  it('says a refused credential is an auth error, from a typed route and from a raw stream alike', async () => {
    answer = { status: 403, body: { title: 'Forbidden', detail: 'runs.read needs a role' } };
    const typed = await failureOf(
      client().api.GET('/v1/projects/{project}/schedules', { params: { path: { project: 'p' } } }),
    );
    const raw = await failureOf(
      client().raw('GET', '/v1/projects/{project}/runs/{runId}/events', { path: { project: 'p', runId: 'r' } }),
    );
    for (const error of [typed, raw]) {
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({ kind: 'auth', status: 403, message: '403 Forbidden: runs.read needs a role' });
    }
  });

  it('says a server it never reached is a network error naming the URL and the reason', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = new ApiClient(
      `http://127.0.0.1:${port}`,
      async () => null,
      async () => undefined,
    );
    const error = await failureOf(
      unreachable.api.GET('/v1/projects/{project}/schedules', { params: { path: { project: 'p' } } }),
    );
    expect(error).toBeInstanceOf(CliError);
    expect(error).not.toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ kind: 'network', message: `cannot reach http://127.0.0.1:${port}: ECONNREFUSED` });
  });
});
