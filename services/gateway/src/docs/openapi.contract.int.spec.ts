import { randomBytes, randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import {
  createLogger,
  createServiceApp,
  migrateEventStore,
  PostgresEventStore,
  runMigrations,
  ServiceClientError,
  ServiceClientErrorCode,
} from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import { startTestOidcIssuer, type RunningTestOidcIssuer } from '../auth/testing/index.js';
import { GATEWAY_MIGRATIONS, GATEWAY_SCHEMA } from '../migrations/gateway.migrations.js';
import { createGatewayRuntime, type GatewayClients } from '../gateway.runtime.js';
import { ROUTE_DOCS } from './routes/index.js';

interface Operation {
  summary?: string;
  description?: string;
  operationId?: string;
  security?: Record<string, unknown>[];
  requestBody?: unknown;
  responses: Record<string, { $ref?: string; description?: string; content?: Record<string, unknown> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { responses: Record<string, unknown>; schemas: Record<string, unknown> };
}

const route = { routeId: 'r-1', projectId: 'p', name: 'ops', on: ['GateFailed'], severity: 'error' };
const ROUTE_VIEW = {
  ...route,
  destination: { type: 'slack', webhookUrlRef: 'env:EVALVAULT_SECRET_T__P__SLACK_HOOK' },
  createdBy: 'admin',
  createdAt: '2026-01-05T10:00:00.000Z',
};
/** Owners answering just enough for the representative routes below; anything else is a not-found. */
const ANSWERS: Record<string, unknown> = {
  pinRunVersions: { dataset: null, prompt: null, modelProfile: null, policy: null, modelProfileModel: null },
  submitRun: { runId: 'run-1', status: 'requested', configHash: 'h' },
  listRuns: { items: [], nextCursor: null },
  cancelRun: { runId: 'run-1', status: 'running' },
  createRoute: ROUTE_VIEW,
  deleteRoute: ROUTE_VIEW,
  setRetention: { retentionDays: 30, change: 'shortening-scheduled' },
  requestDeletion: { requestId: 'del-1', forgotten: 2 },
  searchFacts: { items: [], nextCursor: null, meta: { query: 'vpn', vector: false } },
};
const owner = {
  call: async (operation: string) => {
    if (operation in ANSWERS) return ANSWERS[operation];
    throw new ServiceClientError(ServiceClientErrorCode.NotFound, 'nothing here');
  },
  uploadDataset: async () => ({ kind: 'dataset', id: 'd-1', name: 'd', version: 1, contentHash: 'h', created: true }),
};

/**
 * The OpenAPI document says what each route does, and does it: every served route is documented
 * with a summary, a description, its success statuses and problem responses; a credential is
 * required exactly where the document asks for one; representative routes answer the success
 * status the document gives them.
 */
describe('the OpenAPI document against the routes it describes', () => {
  let app: NestFastifyApplication;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let oidc: RunningTestOidcIssuer;
  let base: string;
  let document: Document;
  const project = `proj-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    await migrateEventStore(testDatabaseUrl());
    await runMigrations(testDatabaseUrl(), GATEWAY_SCHEMA, GATEWAY_MIGRATIONS);
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 4 });
    store = new PostgresEventStore(pool);
    oidc = await startTestOidcIssuer();
    const config = { serviceName: 'gateway', host: '127.0.0.1', port: 0, logLevel: 'silent' as const, redactPaths: [] };
    const logger = createLogger(config);
    const gateway = await createGatewayRuntime({
      config: {
        bootstrapAdminKey: null,
        http: { bodyLimit: 1024 * 1024, rateLimit: { max: 100_000, windowMs: 60_000, tenantMax: {} } },
      },
      logger,
      pool,
      store,
      pepper: randomBytes(32),
      oidc: { issuer: oidc.url, audience: oidc.issuer.audience, jwksUri: oidc.jwksUri },
      clients: new Proxy({}, { get: () => owner }) as GatewayClients,
    });
    app = await createServiceApp(gateway.module, config, logger);
    await gateway.beforeListen(app);
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    document = (await (await fetch(`${base}/docs`)).json()) as Document;
  });

  afterAll(async () => {
    await app.close();
    await oidc.close();
    await store.close();
    await pool.end();
  });

  type Listed = [key: string, path: string, method: string, operation: Operation];
  const operations = (): Listed[] =>
    Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(
        ([method, operation]): Listed => [`${method.toUpperCase()} ${path}`, path, method, operation],
      ),
    );
  const pathOf = (pattern: string): string =>
    pattern
      .replace('{project}', project)
      .replace(/\{version\}/, '1')
      .replace(/\{\w+\}/g, 'x-1');

  it('documents every served route: summary, description, real success statuses, problem responses', () => {
    expect(operations().length).toBeGreaterThanOrEqual(51);
    expect(
      operations()
        .map(([key]) => key)
        .filter((key) => !(key in ROUTE_DOCS)),
    ).toEqual([]);
    const ids = new Set<string>();
    for (const [key, , , operation] of operations()) {
      expect({ key, summary: operation.summary?.length, description: operation.description?.length }).toEqual({
        key,
        summary: expect.any(Number),
        description: expect.any(Number),
      });
      ids.add(operation.operationId!);
      const statuses = Object.keys(operation.responses);
      expect({ key, success: statuses.some((status) => /^2\d\d$/.test(status)) }).toEqual({ key, success: true });
      for (const [status, response] of Object.entries(operation.responses)) {
        expect(response.description).not.toBe('Default Response');
        if (/^2/.test(status)) continue;
        const name = response.$ref?.replace('#/components/responses/', '') ?? '';
        expect({ key, status, documented: name in document.components.responses }).toEqual({
          key,
          status,
          documented: true,
        });
      }
    }
    expect(ids.size).toBe(operations().length);
    expect(document.components.schemas['Problem']).toBeDefined();
  });

  it('asks for a credential exactly on the routes that refuse a request without one', async () => {
    const outcomes: Record<string, string> = {};
    const expected: Record<string, string> = {};
    for (const [key, path, method, operation] of operations()) {
      const body = operation.requestBody ? '{}' : undefined;
      const headers: Record<string, string> = body ? { 'content-type': 'application/json' } : {};
      const response = await fetch(`${base}${pathOf(path)}`, { method: method.toUpperCase(), headers, body });
      await response.body?.cancel();
      const secured = (operation.security ?? []).some((requirement) => 'bearer' in requirement);
      outcomes[key] = response.status === 401 ? 'needs a credential' : 'open';
      expected[key] = secured ? 'needs a credential' : 'open';
      if (secured) expect({ key, documents401: '401' in operation.responses }).toEqual({ key, documents401: true });
    }
    expect(outcomes).toEqual(expected);
    expect(Object.values(expected).filter((outcome) => outcome === 'open')).toHaveLength(3); // healthz, readyz, metrics
  });

  it.each([
    [
      'POST /v1/projects/{project}/runs',
      { dataset: { name: 'd', cases: [{ question: 'q', answer: 'a', contexts: [] }] }, metrics: ['exact_match'] },
      202,
    ],
    ['GET /v1/projects/{project}/runs', undefined, 200],
    ['POST /v1/projects/{project}/runs/{runId}/cancel', {}, 202],
    ['POST /v1/projects/{project}/api-keys', { name: 'ci', role: 'viewer' }, 201],
    ['POST /v1/projects/{project}/members', { subject: 'carol@example.com', role: 'viewer' }, 201],
    ['POST /v1/projects/{project}/datasets', { name: 'd', cases: [{ question: 'q', answer: 'a', contexts: [] }] }, 201],
    [
      'POST /v1/projects/{project}/notification-routes',
      { name: 'ops', on: ['GateFailed'], destination: { type: 'slack', webhookUrlRef: 'env:X_HOOK' } },
      201,
    ],
    ['DELETE /v1/projects/{project}/notification-routes/{routeId}', undefined, 200],
    ['PUT /v1/audit/retention', { retentionDays: 30, reason: 'storage costs' }, 202],
    ['GET /v1/projects/{project}/memory/facts', undefined, 200],
    ['POST /v1/projects/{project}/memory/deletions', { target: 'subject', value: 'staff' }, 202],
    ['GET /healthz', undefined, 200],
    ['GET /readyz', undefined, 200],
    ['GET /metrics', undefined, 200],
  ])('answers %s with a success status it documents', async (key, body, status) => {
    const [method, pattern] = key.split(' ') as [string, string];
    const token = await oidc.issuer.sign({
      sub: `admin-${randomUUID()}`,
      tenant: 'tenant-docs',
      evalvault_roles: { [project]: ['admin'], $tenant: ['audit-admin'] },
    });
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${base}${pathOf(pattern)}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const documented = Object.keys(document.paths[pattern]![method.toLowerCase()]!.responses);
    expect({ key, status: response.status, text: response.status < 300 ? '' : text }).toEqual({
      key,
      status,
      text: '',
    });
    expect(documented).toContain(String(status));
  });
});
