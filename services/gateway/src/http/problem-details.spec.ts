import { BadRequestException, Body, Controller, Get, HttpException, Module, Param, Post, Query } from '@nestjs/common';
import { RouteConfig, RouteSchema } from '@nestjs/platform-fastify';
import { ServiceClientError, ServiceClientErrorCode } from '@evalvault/platform';
import { postJson, startEdgesApp, type EdgesApp } from './testing/edges-app.js';

const CREATE_RUN_BODY = {
  type: 'object',
  required: ['name', 'metrics'],
  properties: {
    name: { type: 'string', minLength: 1 },
    metrics: { type: 'array', items: { type: 'string' } },
    options: { type: 'object', properties: { concurrency: { type: 'integer', minimum: 1 } } },
  },
} as const;

class CodedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

@Controller('runs')
class RunsController {
  @Post()
  @RouteSchema({ body: CREATE_RUN_BODY })
  create(@Body() body: { name: string }): { created: string } {
    return { created: body.name };
  }

  @Post('big')
  @RouteConfig({ bodyLimit: 4 * 1024 })
  big(@Body() body: unknown): { size: number } {
    return { size: JSON.stringify(body).length };
  }

  @Get(':runId/cases')
  @RouteSchema({
    params: { type: 'object', properties: { runId: { type: 'string', pattern: '^run-' } } },
    querystring: { type: 'object', properties: { limit: { type: 'integer', maximum: 100 } } },
  })
  cases(@Param('runId') runId: string, @Query('limit') limit?: number): { runId: string; limit: number | null } {
    return { runId, limit: limit ?? null };
  }

  @Get('fail/:code')
  fail(@Param('code') code: string): never {
    if (code === 'plain') throw new Error('password=hunter2 at db.internal:5432');
    if (code === 'http') throw new BadRequestException('the cursor has expired');
    if (code === 'teapot') throw new HttpException('short and stout', 418);
    if (code === 'downstream')
      throw new ServiceClientError(ServiceClientErrorCode.Unavailable, 'connect ECONNREFUSED 10.1.2.3:8081');
    if (code === 'pg') throw new CodedError('23505', 'duplicate key value violates unique constraint "runs_pkey"');
    if (code === 'no-judge' || code === 'unknown-public-code')
      throw new ServiceClientError(ServiceClientErrorCode.InvalidInput, 'faithfulness needs an LLM judge', {
        status: 422,
        publicCode: code === 'no-judge' ? 'JUDGE_NOT_CONFIGURED' : 'NOT_A_PUBLIC_CODE',
      });
    throw new CodedError(code, `failed with ${code}`);
  }
}

@Module({ controllers: [RunsController] })
class RunsModule {}

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  errors?: { path: string; message: string }[];
}

async function problemOf(response: Response, status: number): Promise<Problem> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const problem = (await response.json()) as Problem;
  expect(problem).toMatchObject({
    status,
    type: expect.stringMatching(/^urn:evalvault:problem:/),
    title: expect.any(String),
  });
  return problem;
}

describe('HTTP edges: problem details and validation', () => {
  let edges: EdgesApp;
  beforeAll(async () => {
    edges = await startEdgesApp(RunsModule, { bodyLimit: 1024, rateLimit: false, idempotency: false });
  });
  afterAll(() => edges.app.close());

  it('passes a valid body through, as sent', async () => {
    const response = await postJson(`${edges.url}/runs`, { name: 'nightly', metrics: ['faithfulness'] });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ created: 'nightly' });
  });

  it('names every invalid field by its JSON path: wrong type, unknown field, missing field', async () => {
    const response = await postJson(`${edges.url}/runs`, {
      metrics: ['a', 'b', 7],
      colour: 'red',
      options: { concurrency: '2', x: 1 },
    });
    const problem = await problemOf(response, 400);
    expect(problem).toMatchObject({ code: 'INVALID_INPUT', instance: '/runs' });
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        { path: '/name', message: 'is required' },
        { path: '/colour', message: 'unknown field' },
        { path: '/metrics/2', message: 'must be string' },
        { path: '/options/concurrency', message: 'must be integer' }, // no coercion of "2" in a body
        { path: '/options/x', message: 'unknown field' },
      ]),
    );
    expect(problem.errors).toHaveLength(5);
  });

  it('answers malformed JSON with MALFORMED_JSON', async () => {
    const problem = await problemOf(await postJson(`${edges.url}/runs`, '{"name": "nightly",'), 400);
    expect(problem.code).toBe('MALFORMED_JSON');
  });

  it('answers a body over the limit with 413, and lets a route raise its own limit', async () => {
    const huge = { name: 'x'.repeat(2048), metrics: [] };
    const tooLarge = await problemOf(await postJson(`${edges.url}/runs`, huge), 413);
    expect(tooLarge.code).toBe('PAYLOAD_TOO_LARGE');
    // It says what to do instead.
    expect(tooLarge.detail).toMatch(/Register a large dataset as a version .* and run it by reference/);
    expect((await postJson(`${edges.url}/runs/big`, huge)).status).toBe(201);
    const problem = await problemOf(await postJson(`${edges.url}/runs/big`, { blob: 'x'.repeat(5000) }), 413);
    expect(problem.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers a body in another media type with 415', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const response = await fetch(`${edges.url}/runs`, {
        method: 'POST',
        headers: { 'content-type': type },
        body: 'name=nightly',
      });
      expect((await problemOf(response, 415)).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('coerces query strings but still checks them, and names the part', async () => {
    const ok = await fetch(`${edges.url}/runs/run-1/cases?limit=10`);
    expect(await ok.json()).toEqual({ runId: 'run-1', limit: 10 });
    const problem = await problemOf(await fetch(`${edges.url}/runs/run-1/cases?limit=500&sort=asc`), 400);
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        { path: 'querystring/limit', message: 'must be <= 100' },
        { path: 'querystring/sort', message: 'unknown field' },
      ]),
    );
    const params = await problemOf(await fetch(`${edges.url}/runs/other/cases`), 400);
    expect(params.errors).toEqual([{ path: 'params/runId', message: 'must match pattern "^run-"' }]);
  });

  it('answers unknown routes with 404', async () => {
    const problem = await problemOf(await fetch(`${edges.url}/nowhere?token=secret`), 404);
    expect(problem).toMatchObject({ code: 'NOT_FOUND', instance: '/nowhere' });
  });

  it.each([
    ['RUN_NOT_FOUND', 404],
    ['NOT_FOUND', 404],
    ['INVALID_GATE_RULE', 400],
    ['INVALID_CURSOR', 400],
    ['RUN_ALREADY_EXISTS', 409],
    ['CONFLICT', 409],
    ['FORBIDDEN', 403],
    ['RATE_LIMITED', 429],
    ['IDEMPOTENCY_KEY_REUSED', 422],
  ])('maps an error with code %s to %i, keeping its message', async (code, status) => {
    const problem = await problemOf(await fetch(`${edges.url}/runs/fail/${code}`), status);
    expect(problem).toMatchObject({ code, detail: `failed with ${code}`, instance: `/runs/fail/${code}` });
  });

  it("answers an owning service's refusal with the precise public code it names, else with its code", async () => {
    expect(await problemOf(await fetch(`${edges.url}/runs/fail/no-judge`), 422)).toMatchObject({
      code: 'JUDGE_NOT_CONFIGURED',
      title: 'No LLM judge configured',
      detail: 'faithfulness needs an LLM judge',
    });
    expect((await problemOf(await fetch(`${edges.url}/runs/fail/unknown-public-code`), 400)).code).toBe(
      'INVALID_INPUT',
    );
  });

  it('asks for a bearer token on 401', async () => {
    const response = await fetch(`${edges.url}/runs/fail/UNAUTHENTICATED`);
    expect((await problemOf(response, 401)).code).toBe('UNAUTHENTICATED');
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('keeps the message of HttpExceptions and names other statuses after their reason phrase', async () => {
    expect(await problemOf(await fetch(`${edges.url}/runs/fail/http`), 400)).toMatchObject({
      code: 'INVALID_INPUT',
      detail: 'the cursor has expired',
    });
    expect(await problemOf(await fetch(`${edges.url}/runs/fail/teapot`), 418)).toMatchObject({
      code: 'I_M_A_TEAPOT',
      detail: 'short and stout',
    });
  });

  it('hides unexpected errors and foreign codes behind a generic 500, and logs them', async () => {
    for (const path of ['plain', 'pg']) {
      edges.logged.length = 0;
      const response = await fetch(`${edges.url}/runs/fail/${path}`);
      const text = await response.clone().text();
      expect(await problemOf(response, 500)).toMatchObject({
        code: 'INTERNAL',
        detail: 'An unexpected error occurred; it has been logged.',
      });
      expect(text).not.toMatch(/hunter2|runs_pkey|23505/);
      expect(edges.logged).toHaveLength(1);
      expect(edges.logged[0]!.details).toMatchObject({ err: expect.any(Error), url: `/runs/fail/${path}` });
    }
  });

  it('keeps a downstream 503 retryable without repeating its internals', async () => {
    const response = await fetch(`${edges.url}/runs/fail/downstream`);
    const problem = await problemOf(response, 503);
    expect(problem.code).toBe('UNAVAILABLE');
    expect(problem.detail).not.toMatch(/10\.1\.2\.3/);
  });
});
