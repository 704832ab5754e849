import { randomBytes, randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import {
  createLogger,
  createServiceApp,
  runMigrations,
  ServiceClientError,
  ServiceClientErrorCode,
  type InternalIdentity,
  type ServiceClient,
} from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import type { FactView, MemoryOperations, RunsOperations } from '@evalvault/service-apis';
import type { Principal } from '../auth/principal.js';
import { GatewayModule } from '../gateway.module.js';
import { installOpenApi } from '../docs/openapi.js';
import { IdempotencyStore, installHttpEdges } from '../http/index.js';
import { GATEWAY_MIGRATIONS, GATEWAY_SCHEMA } from '../migrations/gateway.migrations.js';

type Role = 'viewer' | 'editor' | 'approver' | 'admin';

/**
 * The Domain Memory routes of the gateway with the strict validator, the OpenAPI document and the
 * Idempotency-Key store the real gateway installs, against a recording memory client: roles,
 * validation (nothing reaches the owner on bad input), what is sent on, and a fact of another
 * tenant answered as missing.
 */
describe('Domain Memory routes at the gateway', () => {
  let app: NestFastifyApplication;
  let pool: pg.Pool;
  let base: string;
  const tenant = `t-${randomBytes(4).toString('hex')}`;
  const calls: { operation: string; input: unknown; identity: InternalIdentity }[] = [];
  const fact: FactView = {
    factId: 'f1',
    subject: 'staff',
    predicate: 'connect with',
    object: 'the GlobalGate VPN client',
    domain: 'help-desk',
    language: 'en',
    kind: 'inferred',
    status: 'proposed',
    verificationScore: 0.9,
    verificationCount: 0,
    lastVerifiedAt: null,
    proposedAt: '2026-12-05T10:00:00.000Z',
    sources: [{ kind: 'case', id: 'it-001', runId: 'r-1' }],
    conflictsWith: [],
  };
  const memory: ServiceClient<MemoryOperations> = {
    call: async (operation, input, identity) => {
      calls.push({ operation, input, identity });
      const factId = (input as { factId?: string }).factId;
      if (factId === 'foreign')
        throw new ServiceClientError(ServiceClientErrorCode.NotFound, 'fact foreign not found', { foreign: true });
      switch (operation) {
        case 'searchFacts':
          return { items: [{ ...fact, score: 0.8 }], nextCursor: null, meta: { query: 'vpn', vector: false } } as never;
        case 'verifyFact':
          return { ...fact, status: 'verified', kind: 'verified', verificationCount: 1 } as never;
        case 'requestDeletion':
          return { requestId: 'd-1', forgotten: 2 } as never;
        case 'listDeletions':
          return {
            items: [
              {
                requestId: 'd-1',
                target: 'subject',
                forgotten: 2,
                requestedBy: 'a',
                requestedAt: '2026-01-02T03:04:05.000Z',
              },
            ],
            nextCursor: null,
          } as never;
        case 'getMemoryPolicy':
        case 'setMemoryPolicy':
          return { projectId: 'checkout', version: 1, policy: { decay: { factor: 0.9, periodDays: 30 } } } as never;
        case 'importMemory':
          return { proposed: 1, supported: 0 } as never;
        default:
          return fact as never;
      }
    },
  };
  const principal = (role: Role, tenantId = tenant): Principal => ({
    tenantId,
    subject: `${role}@acme`,
    authMethod: 'api_key',
    apiKeyId: 'k',
    projectRoles: { checkout: [role] },
    tenantRoles: [],
  });

  beforeAll(async () => {
    await runMigrations(testDatabaseUrl(), GATEWAY_SCHEMA, GATEWAY_MIGRATIONS);
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 2 });
    const unreachable: ServiceClient<RunsOperations> = {
      call: async () => {
        throw new ServiceClientError(ServiceClientErrorCode.Unavailable, 'not needed');
      },
    };
    const config = { serviceName: 'gateway', host: '127.0.0.1', port: 0, logLevel: 'silent' as const, redactPaths: [] };
    app = await createServiceApp(
      GatewayModule.with({ runs: unreachable, apiKeys: null, members: null, memory }),
      config,
      createLogger(config),
    );
    const fastify = app.getHttpAdapter().getInstance();
    // Stands in for the authentication hook: role and tenant come from test headers.
    fastify.addHook('onRequest', async (request) => {
      const role = (request.headers['x-test-role'] as Role | undefined) ?? 'viewer';
      request.principal = principal(role, (request.headers['x-test-tenant'] as string | undefined) ?? tenant);
    });
    await installOpenApi(fastify, 'test');
    await installHttpEdges(app, { rateLimit: false, idempotency: new IdempotencyStore(pool) });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await app.close();
    await pool.end();
  });

  const send = (
    method: string,
    path: string,
    role: Role,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> =>
    fetch(`${base}/v1/projects/checkout/memory${path}`, {
      method,
      headers: {
        'x-test-role': role,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const problem = async (response: Response) => ({
    status: response.status,
    body: (await response.json()) as { code: string; errors?: { path: string; message: string }[] },
  });

  it('searches facts for a viewer, passing the filters on (coerced from the query string)', async () => {
    const query = 'q=vpn&domain=help-desk&kind=inferred&minScore=0.5&usable=true&limit=5';
    const response = await send('GET', `/facts?${query}`, 'viewer');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      items: [{ ...fact, score: 0.8 }],
      nextCursor: null,
      meta: { query: 'vpn', vector: false },
    });
    expect(calls.at(-1)).toMatchObject({
      operation: 'searchFacts',
      input: { q: 'vpn', domain: 'help-desk', kind: 'inferred', minScore: 0.5, usable: true, limit: 5 },
      identity: { tenantId: tenant, projectId: 'checkout', roles: ['viewer'], actor: { subject: 'viewer@acme' } },
    });
  });

  it('refuses bad input with 400 naming the field, and nothing reaches the memory service', async () => {
    const before = calls.length;
    const cases: [string, string, Role, unknown, string][] = [
      ['GET', '/facts?minScore=1.5', 'viewer', undefined, 'querystring/minScore'],
      ['GET', '/facts?usable=maybe', 'viewer', undefined, 'querystring/usable'],
      ['GET', '/facts?kind=rumour', 'viewer', undefined, 'querystring/kind'],
      ['GET', '/facts?colour=blue', 'viewer', undefined, 'querystring/colour'],
      ['GET', '/behaviours?minScore=-0.1', 'viewer', undefined, 'querystring/minScore'],
      ['POST', '/facts/f1/verify', 'approver', { reason: 'ok', score: 1 }, '/score'],
      ['POST', '/facts/f1/reject', 'approver', {}, '/reason'],
      ['POST', '/deletions', 'admin', { target: 'everything', value: 'x' }, '/target'],
      ['POST', '/deletions', 'admin', { target: 'subject' }, '/value'],
      ['PUT', '/policy', 'admin', { decay: { factor: 1.2 } }, '/decay/factor'],
      ['PUT', '/policy', 'admin', { forgetting: { minScore: 0.2, maxAge: 3 } }, '/forgetting/maxAge'],
      ['PUT', '/policy', 'admin', { telemetry: true }, '/telemetry'],
      ['PUT', '/policy', 'admin', { search: { textWeight: 2 } }, '/search/textWeight'],
      ['POST', '/import', 'approver', { facts: [{ subject: '', predicate: 'is', object: 'x' }] }, '/facts/0/subject'],
      ['POST', '/import', 'approver', { facts: [{ subject: 's', object: 'x' }] }, '/facts/0/predicate'],
      [
        'POST',
        '/import',
        'approver',
        { facts: [{ subject: 's', predicate: 'p', object: 'o', verificationScore: 7 }] },
        '/facts/0/verificationScore',
      ],
    ];
    for (const [method, path, role, body, field] of cases) {
      const { status, body: answer } = await problem(await send(method, path, role, body));
      expect({ method, path, status, code: answer.code, field: answer.errors?.map((e) => e.path) }).toEqual({
        method,
        path,
        status: 400,
        code: 'INVALID_INPUT',
        field: expect.arrayContaining([field]) as unknown as string[],
      });
    }
    expect(calls.length).toBe(before);
  });

  it('lets each role do exactly its part: read viewer, verify approver, forget and policy admin', async () => {
    const status = async (method: string, path: string, role: Role, body?: unknown) => {
      const response = await send(method, path, role, body);
      await response.body?.cancel();
      return response.status;
    };
    expect(await status('POST', '/facts/f1/verify', 'editor', { reason: 'ok' })).toBe(403);
    expect(await status('POST', '/facts/f1/verify', 'approver', { reason: 'ok' })).toBe(200);
    expect(await status('POST', '/facts/f1/reject', 'editor', { reason: 'old' })).toBe(403);
    expect(await status('POST', '/deletions', 'approver', { target: 'subject', value: 'staff' })).toBe(403);
    expect(await status('POST', '/deletions', 'admin', { target: 'subject', value: 'staff' })).toBe(202);
    expect(await status('GET', '/deletions', 'approver')).toBe(403);
    expect(await status('GET', '/deletions', 'admin')).toBe(200);
    expect(await status('PUT', '/policy', 'approver', { decay: { factor: 0.9 } })).toBe(403);
    expect(await status('PUT', '/policy', 'admin', { decay: { factor: 0.9 } })).toBe(200);
    expect(await status('GET', '/policy', 'viewer')).toBe(200);
    expect(await status('POST', '/maintenance', 'approver')).toBe(403);
    expect(await status('POST', '/import', 'editor', { facts: [{ subject: 's', predicate: 'p', object: 'o' }] })).toBe(
      403,
    );
    expect(calls.filter((call) => call.operation === 'verifyFact').at(-1)).toMatchObject({
      input: { factId: 'f1', reason: 'ok' },
      identity: { roles: ['approver'] },
    });
    expect(calls.filter((call) => call.operation === 'setMemoryPolicy').at(-1)?.input).toEqual({
      decay: { factor: 0.9 },
    });
  });

  it('answers a fact of another tenant as missing (404), like one that does not exist', async () => {
    const { status, body } = await problem(await send('GET', '/facts/foreign', 'viewer'));
    expect({ status, code: body.code }).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect((await send('POST', '/facts/foreign/verify', 'approver', {})).status).toBe(404);
  });

  it('makes a retried verification safe with an Idempotency-Key: the first answer again, once', async () => {
    const key = randomUUID();
    const before = calls.filter((call) => call.operation === 'verifyFact').length;
    const first = await send('POST', '/facts/f1/verify', 'approver', { reason: 'again' }, { 'idempotency-key': key });
    const second = await send('POST', '/facts/f1/verify', 'approver', { reason: 'again' }, { 'idempotency-key': key });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.headers.get('idempotency-replayed')).toBe('true');
    expect(await second.json()).toEqual(await first.json());
    expect(calls.filter((call) => call.operation === 'verifyFact').length).toBe(before + 1);
    const other = await send('POST', '/facts/f1/verify', 'approver', { reason: 'other' }, { 'idempotency-key': key });
    expect(other.status).toBe(422);
  });

  it('documents every memory route in the OpenAPI document, under the Memory tag', async () => {
    const document = (await (await fetch(`${base}/docs`)).json()) as {
      paths: Record<string, Record<string, { tags: string[]; summary: string }>>;
    };
    const memoryRoutes = Object.entries(document.paths)
      .filter(([path]) => path.includes('/memory'))
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => [`${method} ${path}`, op] as const));
    expect(memoryRoutes).toHaveLength(15);
    for (const [, operation] of memoryRoutes) {
      expect(operation.tags).toEqual(['Memory']);
      expect(operation.summary).not.toMatch(/^(GET|POST|PUT) /);
    }
  });
});
