import { randomBytes, randomUUID } from 'node:crypto';
import { connect } from 'node:net';
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
import { membersStreamId } from '../members/members.decider.js';
import { tenantRolesStreamId } from '../members/tenant-roles.decider.js';
import { accessDeniedStreamId } from './denied-access.js';

/** `default-admin`: admin of project `default` (not of the test's project), who administers tenant roles. */
type Who = 'viewer' | 'editor' | 'approver' | 'admin' | 'auditor' | 'audit-admin' | 'default-admin' | 'nobody';
const EVERYONE: readonly Who[] = [
  'viewer',
  'editor',
  'approver',
  'admin',
  'auditor',
  'audit-admin',
  'default-admin',
  'nobody',
];
const PROJECT_RANK: Record<string, number> = { viewer: 1, editor: 2, approver: 3, admin: 4 };
const TENANT_RANK: Record<string, number> = { auditor: 1, 'audit-admin': 2 };

/**
 * Every /v1 route the gateway serves, with the weakest role that may call it (project roles are
 * cumulative; `auditor` is the tenant role that reads the audit log and nothing else,
 * `audit-admin` also changes its retention and forgets; tenant roles are granted by admins of
 * project `default`) and a valid body. Written out here, apart from the role matrix, so a
 * change to either shows. A served route missing from this table fails the test.
 */
/** `anyone`: any authenticated caller, even one with no role (reading its own identity). */
type Needs = Exclude<Who, 'nobody'> | 'anyone';
const ROUTES: Record<string, { needs: Needs; body?: unknown }> = {
  'GET /v1/me': { needs: 'anyone' },
  'POST /v1/projects/{project}/runs': {
    needs: 'editor',
    body: {
      dataset: { name: 'd', cases: [{ question: 'q', answer: 'a', contexts: [] }] },
      metrics: ['exact_match'],
      gate: { rules: [] },
    },
  },
  'GET /v1/projects/{project}/runs': { needs: 'viewer' },
  'GET /v1/projects/{project}/runs/{runId}': { needs: 'viewer' },
  'GET /v1/projects/{project}/runs/{runId}/cases': { needs: 'viewer' },
  'GET /v1/projects/{project}/runs/{runId}/events': { needs: 'viewer' },
  'GET /v1/projects/{project}/runs/{runId}/compare/{otherRunId}': { needs: 'viewer' },
  'POST /v1/projects/{project}/runs/{runId}/cancel': { needs: 'editor', body: {} },
  'POST /v1/projects/{project}/runs/{runId}/retry': { needs: 'editor', body: { mode: 'all' } },
  'POST /v1/projects/{project}/schedules': {
    needs: 'editor',
    body: { name: 'nightly', cron: '0 2 * * *', dataset: { id: 'ds-1' }, metrics: ['exact_match'] },
  },
  'GET /v1/projects/{project}/schedules': { needs: 'viewer' },
  'GET /v1/projects/{project}/schedules/{scheduleId}': { needs: 'viewer' },
  'POST /v1/projects/{project}/schedules/{scheduleId}/pause': { needs: 'editor', body: {} },
  'POST /v1/projects/{project}/schedules/{scheduleId}/resume': { needs: 'editor' },
  'DELETE /v1/projects/{project}/schedules/{scheduleId}': { needs: 'editor' },
  'POST /v1/projects/{project}/api-keys': { needs: 'admin', body: { name: 'ci', role: 'viewer' } },
  'GET /v1/projects/{project}/api-keys': { needs: 'admin' },
  'DELETE /v1/projects/{project}/api-keys/{keyId}': { needs: 'admin' },
  'POST /v1/projects/{project}/members': { needs: 'admin', body: { subject: 'someone@example.com', role: 'viewer' } },
  'GET /v1/projects/{project}/members': { needs: 'admin' },
  'DELETE /v1/projects/{project}/members/{subject}': { needs: 'admin' },
  'POST /v1/tenant-roles': { needs: 'default-admin', body: { subject: 'someone@example.com', role: 'auditor' } },
  'GET /v1/tenant-roles': { needs: 'default-admin' },
  'DELETE /v1/tenant-roles/{role}/{subject}': { needs: 'default-admin' },
  'GET /v1/audit': { needs: 'auditor' },
  'POST /v1/audit/replay': { needs: 'auditor' },
  'GET /v1/audit/export': { needs: 'auditor' },
  'GET /v1/audit/retention': { needs: 'auditor' },
  'PUT /v1/audit/retention': { needs: 'audit-admin', body: { retentionDays: 30, reason: 'storage costs' } },
  'DELETE /v1/audit/retention/pending': { needs: 'audit-admin' },
  'POST /v1/audit/subjects/forget': { needs: 'audit-admin', body: { subject: 'someone@example.com' } },
  'POST /v1/projects/{project}/datasets': {
    needs: 'editor',
    body: { name: 'd', cases: [{ question: 'q', answer: 'a', contexts: [] }] },
  },
  'GET /v1/projects/{project}/datasets/{datasetId}/versions/{version}/cases': { needs: 'viewer' },
  'POST /v1/projects/{project}/prompts': { needs: 'editor', body: { name: 'p', template: 'Answer {{question}}' } },
  'POST /v1/projects/{project}/model-profiles': {
    needs: 'editor',
    body: { name: 'm', provider: 'openai', model: 'gpt-4o', parameters: {} },
  },
  'GET /v1/projects/{project}/datasets': { needs: 'viewer' },
  'GET /v1/projects/{project}/datasets/{datasetId}': { needs: 'viewer' },
  'GET /v1/projects/{project}/datasets/{datasetId}/versions': { needs: 'viewer' },
  'GET /v1/projects/{project}/datasets/{datasetId}/versions/{version}': { needs: 'viewer' },
  'POST /v1/projects/{project}/datasets/{datasetId}/versions/{version}/approve': { needs: 'approver', body: {} },
  'POST /v1/projects/{project}/datasets/{datasetId}/versions/{version}/reject': {
    needs: 'approver',
    body: { reason: 'wrong answers' },
  },
  'GET /v1/projects/{project}/prompts': { needs: 'viewer' },
  'GET /v1/projects/{project}/prompts/{promptId}': { needs: 'viewer' },
  'GET /v1/projects/{project}/prompts/{promptId}/versions': { needs: 'viewer' },
  'GET /v1/projects/{project}/prompts/{promptId}/versions/{version}': { needs: 'viewer' },
  'POST /v1/projects/{project}/prompts/{promptId}/versions/{version}/approve': { needs: 'approver', body: {} },
  'POST /v1/projects/{project}/prompts/{promptId}/versions/{version}/reject': {
    needs: 'approver',
    body: { reason: 'leaks names' },
  },
  'GET /v1/projects/{project}/model-profiles': { needs: 'viewer' },
  'GET /v1/projects/{project}/model-profiles/{modelProfileId}': { needs: 'viewer' },
  'GET /v1/projects/{project}/model-profiles/{modelProfileId}/versions': { needs: 'viewer' },
  'GET /v1/projects/{project}/model-profiles/{modelProfileId}/versions/{version}': { needs: 'viewer' },
  'POST /v1/projects/{project}/model-profiles/{modelProfileId}/versions/{version}/approve': {
    needs: 'approver',
    body: {},
  },
  'POST /v1/projects/{project}/model-profiles/{modelProfileId}/versions/{version}/reject': {
    needs: 'approver',
    body: { reason: 'too expensive' },
  },
  'GET /v1/projects/{project}/policy': { needs: 'viewer' },
  'PUT /v1/projects/{project}/policy': { needs: 'admin', body: { allowedMetrics: ['token_f1'], dailyCapUsd: 5 } },
  'POST /v1/projects/{project}/notification-routes': {
    needs: 'admin',
    body: { name: 'pager', on: ['GateFailed'], destination: { type: 'pagerduty', routingKeyRef: 'env:NOTIFY_PD_KEY' } },
  },
  'GET /v1/projects/{project}/notification-routes': { needs: 'viewer' },
  'GET /v1/projects/{project}/notification-routes/{routeId}': { needs: 'viewer' },
  'DELETE /v1/projects/{project}/notification-routes/{routeId}': { needs: 'admin' },
  'GET /v1/projects/{project}/notifications': { needs: 'viewer' },
  'POST /v1/projects/{project}/exports': {
    needs: 'admin',
    body: {
      name: 'mlflow',
      on: ['RunCompleted'],
      destination: { type: 'mlflow', trackingUrl: 'https://mlflow.example', experimentName: 'e' },
    },
  },
  'GET /v1/projects/{project}/exports': { needs: 'viewer' },
  'DELETE /v1/projects/{project}/exports/{exportId}': { needs: 'admin' },
  'GET /v1/projects/{project}/memory/facts': { needs: 'viewer' },
  'GET /v1/projects/{project}/memory/facts/{factId}': { needs: 'viewer' },
  'POST /v1/projects/{project}/memory/facts/{factId}/verify': { needs: 'approver', body: { reason: 'checked' } },
  'POST /v1/projects/{project}/memory/facts/{factId}/reject': { needs: 'approver', body: { reason: 'outdated' } },
  'GET /v1/projects/{project}/memory/behaviours': { needs: 'viewer' },
  'GET /v1/projects/{project}/memory/behaviours/{behaviourId}': { needs: 'viewer' },
  'GET /v1/projects/{project}/memory/learnings': { needs: 'viewer' },
  'POST /v1/projects/{project}/memory/deletions': { needs: 'admin', body: { target: 'subject', value: 'staff' } },
  'GET /v1/projects/{project}/memory/deletions': { needs: 'admin' },
  'GET /v1/projects/{project}/memory/policy': { needs: 'viewer' },
  'PUT /v1/projects/{project}/memory/policy': { needs: 'admin', body: { decay: { factor: 0.9 } } },
  'GET /v1/projects/{project}/memory/export': { needs: 'viewer' },
  'POST /v1/projects/{project}/memory/import': {
    needs: 'approver',
    body: { facts: [{ subject: 'staff', predicate: 'use', object: 'a VPN' }] },
  },
  'POST /v1/projects/{project}/memory/maintenance': { needs: 'admin' },
  'GET /v1/projects/{project}/memory/runs/{runId}/insights': { needs: 'viewer' },
};

function allowed(who: Who, needs: Needs): boolean {
  if (needs === 'anyone') return true;
  if (who === 'nobody' || needs === 'default-admin' || who === 'default-admin') return who === needs;
  if (needs in TENANT_RANK || who in TENANT_RANK)
    return who in TENANT_RANK && needs in TENANT_RANK && TENANT_RANK[who]! >= TENANT_RANK[needs]!;
  return PROJECT_RANK[who]! >= PROJECT_RANK[needs]!;
}

/** An owner that holds nothing: every call is a not-found. Authorisation is decided before it is asked. */
const holdsNothing = {
  call: async () => {
    throw new ServiceClientError(ServiceClientErrorCode.NotFound, 'nothing here');
  },
};

describe('the role matrix over HTTP, route by route and role by role', () => {
  let app: NestFastifyApplication;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let oidc: RunningTestOidcIssuer;
  let base: string;
  const served: string[] = [];
  const tenant = `tenant-${randomBytes(4).toString('hex')}`;
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
      clients: new Proxy({}, { get: () => holdsNothing }) as GatewayClients,
    });
    app = await createServiceApp(gateway.module, config, logger);
    app
      .getHttpAdapter()
      .getInstance()
      .addHook('onRoute', (route) => {
        const methods = ([] as string[]).concat(route.method).filter((method) => method !== 'HEAD');
        if (route.url.startsWith('/v1/'))
          methods.forEach((method) => served.push(`${method} ${route.url.replace(/:(\w+)/g, '{$1}')}`));
      });
    await gateway.beforeListen(app);
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await app.close();
    await oidc.close();
    await store.close();
    await pool.end();
  });

  const tokenFor = (who: Who, subject = `user-${who}`, tenantId = tenant): Promise<string> => {
    const roles =
      who === 'nobody'
        ? {}
        : who === 'auditor' || who === 'audit-admin'
          ? { $tenant: [who] }
          : who === 'default-admin'
            ? { default: ['admin'] }
            : { [project]: [who] };
    return oidc.issuer.sign({ sub: subject, tenant: tenantId, evalvault_roles: roles });
  };
  const request = async (route: string, token: string, body?: unknown): Promise<Response> => {
    const [method, pattern] = route.split(' ') as [string, string];
    const path = pattern
      .replace('{project}', project)
      .replace('{runId}', randomUUID())
      .replace('{otherRunId}', randomUUID())
      .replace('{keyId}', randomBytes(6).toString('hex'))
      .replace('{subject}', 'nobody-here')
      .replace('{role}', 'auditor')
      .replace(/\{(datasetId|promptId|modelProfileId|routeId|factId|behaviourId|scheduleId|exportId)\}/, randomUUID())
      .replace('{version}', '1');
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  };

  /** A request line as written, which fetch would normalise: percent-encoded or absolute-form targets. */
  const rawStatus = (method: string, target: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const { port } = new URL(base);
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.end(
          `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
        );
      });
      let head = '';
      socket.on('data', (chunk: Buffer) => {
        head += chunk.toString('latin1');
      });
      socket.once('error', reject);
      socket.once('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0)));
    });

  it('refuses every route without credentials, whatever the shape of the request line', async () => {
    const outcomes: Record<string, number[]> = {};
    for (const route of Object.keys(ROUTES)) {
      const [method, pattern] = route.split(' ') as [string, string];
      const path = pattern.replace('{project}', project).replace(/\{\w+\}/g, 'x1');
      const shapes = [path, path.replace(/^\/v1/, '/%761'), path.replace(/^\/v1\/p/, '/v1/%70'), `${base}${path}`];
      outcomes[route] = await Promise.all(shapes.map((target) => rawStatus(method, target)));
    }
    const expected = Object.fromEntries(Object.keys(ROUTES).map((route) => [route, [401, 401, 401, 401]]));
    expect(outcomes).toEqual(expected);
  });

  it('has a row for every served route, and every row is served', () => {
    expect([...new Set(served)].sort()).toEqual(Object.keys(ROUTES).sort());
  });

  it.each(EVERYONE)('lets %s through exactly the routes its role allows', async (who) => {
    const token = await tokenFor(who);
    const outcomes: Record<string, string> = {};
    const expected: Record<string, string> = {};
    for (const [route, { needs, body }] of Object.entries(ROUTES)) {
      const response = await request(route, token, body);
      await response.body?.cancel();
      outcomes[route] =
        response.status === 403 ? 'refused' : response.status === 401 ? `unauthenticated` : 'let through';
      expected[route] = allowed(who, needs) ? 'let through' : 'refused';
    }
    expect(outcomes).toEqual(expected);
  });

  it('refuses a key that would be born expired with 400, and marks every answer nosniff', async () => {
    const headers = { authorization: `Bearer ${await tokenFor('admin')}`, 'content-type': 'application/json' };
    const past = await fetch(`${base}/v1/projects/${project}/api-keys`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'old', role: 'viewer', expiresAt: '2020-01-01T00:00:00Z' }),
    });
    expect(past.status).toBe(400);
    expect(await past.json()).toMatchObject({
      code: 'INVALID_INPUT',
      detail: 'expiresAt 2020-01-01T00:00:00.000Z is not in the future',
    });
    expect(past.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await fetch(`${base}/v1/projects/${project}/runs`)).headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('never keeps a new API key for an Idempotency-Key replay', async () => {
    const headers = {
      authorization: `Bearer ${await tokenFor('admin')}`,
      'content-type': 'application/json',
      'idempotency-key': randomUUID(),
    };
    const body = JSON.stringify({ name: 'ci-once', role: 'viewer' });
    const issued = await fetch(`${base}/v1/projects/${project}/api-keys`, { method: 'POST', headers, body });
    expect(issued.status).toBe(201);
    expect(issued.headers.get('cache-control')).toBe('no-store');
    const { key } = (await issued.json()) as { key: string };
    const stored = await pool.query<{ body: string | null }>(
      'SELECT response_body::text AS body FROM gateway.idempotency_keys WHERE key = $1',
      [headers['idempotency-key']],
    );
    expect(stored.rows).toHaveLength(1);
    // evk_<id>_<secret>: the secret is base64url and may itself hold an underscore.
    const secret = key.slice(key.indexOf('_', 'evk_'.length) + 1);
    expect(secret.length).toBeGreaterThanOrEqual(40);
    expect(stored.rows[0]!.body ?? '').not.toContain(secret);
    const replay = await fetch(`${base}/v1/projects/${project}/api-keys`, { method: 'POST', headers, body });
    expect(replay.status).toBe(409);
    expect(await replay.text()).not.toContain(key);
  });

  it('refuses to grant a role to a reserved subject (an API key or the system)', async () => {
    const admin = { authorization: `Bearer ${await tokenFor('admin')}`, 'content-type': 'application/json' };
    for (const subject of ['api-key:0123456789ab', 'system:bootstrap']) {
      const granted = await fetch(`${base}/v1/projects/${project}/members`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ subject, role: 'admin' }),
      });
      expect({ subject, status: granted.status }).toEqual({ subject, status: 400 });
    }
  });

  it('records a refusal by role as a denied access, with the route pattern, the role needed, who asked', async () => {
    const response = await request('POST /v1/projects/{project}/api-keys', await tokenFor('editor', 'mallory'), {
      name: 'x',
      role: 'admin',
    });
    expect(response.status).toBe(403);
    const denied = (await store.readStream(accessDeniedStreamId(tenant)))
      .map((r) => r.event)
      .filter((e) => e.actor.subject === 'mallory');
    expect(denied).toEqual([
      expect.objectContaining({
        type: 'AccessDenied',
        tenantId: tenant,
        projectId: project,
        payload: {
          method: 'POST',
          route: '/v1/projects/:project/api-keys',
          resourceType: null,
          resourceId: null,
          reason: 'missing-role',
          requiredRole: 'admin',
          status: 403,
        },
      }),
    ]);
  });

  it('answers another tenant’s API key as missing, changes nothing, and records the attempt', async () => {
    const issued = await fetch(`${base}/v1/projects/${project}/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await tokenFor('admin')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'victim', role: 'viewer' }),
    });
    expect(issued.status).toBe(201);
    const { apiKeyId, key } = (await issued.json()) as { apiKeyId: string; key: string };
    const intruderTenant = `tenant-${randomBytes(4).toString('hex')}`;
    const intruder = await oidc.issuer.sign({
      sub: 'eve',
      tenant: intruderTenant,
      evalvault_roles: { [project]: ['admin'] },
    });
    const revoke = await fetch(`${base}/v1/projects/${project}/api-keys/${apiKeyId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${intruder}` },
    });
    expect(revoke.status).toBe(404);
    expect(((await revoke.json()) as { detail: string }).detail).toBe(`API key ${apiKeyId} not found`);
    // The key still works, and the intruder's tenant log has the attempt.
    expect(
      (await fetch(`${base}/v1/projects/${project}/runs`, { headers: { authorization: `Bearer ${key}` } })).status,
    ).not.toBe(401);
    const denied = (await store.readStream(accessDeniedStreamId(intruderTenant))).map((r) => r.event);
    expect(denied).toEqual([
      expect.objectContaining({
        actor: { subject: 'eve', authMethod: 'oidc', apiKeyId: null },
        payload: expect.objectContaining({
          method: 'DELETE',
          reason: 'cross-tenant',
          resourceType: 'key',
          resourceId: apiKeyId,
          status: 404,
        }),
      }),
    ]);
  });

  it('grants an OIDC subject a role through /members, effective on the next request, and revokes it', async () => {
    const admin = { authorization: `Bearer ${await tokenFor('admin')}`, 'content-type': 'application/json' };
    const carol = await tokenFor('nobody', 'carol@example.com');
    const listRuns = async (): Promise<number> =>
      (await fetch(`${base}/v1/projects/${project}/runs`, { headers: { authorization: `Bearer ${carol}` } })).status;
    expect(await listRuns()).toBe(403);

    const granted = await fetch(`${base}/v1/projects/${project}/members`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ subject: 'carol@example.com', role: 'viewer' }),
    });
    expect(granted.status).toBe(201);
    expect(await granted.json()).toMatchObject({
      subject: 'carol@example.com',
      role: 'viewer',
      grantedBy: 'user-admin',
    });
    expect(await listRuns()).toBe(404); // let in: the owner holds nothing
    const members = (await (await fetch(`${base}/v1/projects/${project}/members`, { headers: admin })).json()) as {
      items: { subject: string }[];
    };
    expect(members.items.map((m) => m.subject)).toContain('carol@example.com');

    const revoked = await fetch(`${base}/v1/projects/${project}/members/${encodeURIComponent('carol@example.com')}`, {
      method: 'DELETE',
      headers: { authorization: admin.authorization },
    });
    expect(revoked.status).toBe(200);
    expect(await listRuns()).toBe(403);
    const again = await fetch(`${base}/v1/projects/${project}/members/${encodeURIComponent('carol@example.com')}`, {
      method: 'DELETE',
      headers: { authorization: admin.authorization },
    });
    expect(again.status).toBe(404);
    const history = (await store.readStream(membersStreamId(tenant, project))).map(
      (r) => `${r.event.type} ${(r.event.payload as { subject: string }).subject}`,
    );
    expect(history.filter((line) => line.endsWith('carol@example.com'))).toEqual([
      'ProjectRoleGranted carol@example.com',
      'ProjectRoleRevoked carol@example.com',
    ]);
  });
  it('grants tenant roles to named subjects: only admins of project default, never themselves, at once', async () => {
    const defaultAdmin = {
      authorization: `Bearer ${await tokenFor('default-admin', 'dora@example.com')}`,
      'content-type': 'application/json',
    };
    const dave = await tokenFor('nobody', 'dave@example.com');
    const asDave = async (method: string, path: string, body?: unknown): Promise<number> => {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${dave}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      await response.body?.cancel();
      return response.status;
    };
    const grant = (headers: Record<string, string>, subject: string, role: string): Promise<Response> =>
      fetch(`${base}/v1/tenant-roles`, { method: 'POST', headers, body: JSON.stringify({ subject, role }) });

    // An admin of another project may not, nor may anyone grant themselves a tenant role.
    const projectAdmin = { authorization: `Bearer ${await tokenFor('admin')}`, 'content-type': 'application/json' };
    expect((await grant(projectAdmin, 'dave@example.com', 'auditor')).status).toBe(403);
    const self = await grant(defaultAdmin, 'dora@example.com', 'audit-admin');
    expect(self.status).toBe(403);
    expect(((await self.json()) as { detail: string }).detail).toBe(
      'you cannot grant yourself the tenant role audit-admin: another admin must',
    );
    for (const subject of ['api-key:0123456789ab', 'system:bootstrap'])
      expect((await grant(defaultAdmin, subject, 'auditor')).status).toBe(400);
    expect((await grant(defaultAdmin, 'dave@example.com', 'admin')).status).toBe(400);

    expect(await asDave('GET', '/v1/audit')).toBe(403);
    const granted = await grant(defaultAdmin, 'dave@example.com', 'auditor');
    expect(granted.status).toBe(201);
    expect(await granted.json()).toMatchObject({
      subject: 'dave@example.com',
      role: 'auditor',
      grantedBy: 'dora@example.com',
    });
    expect(await asDave('GET', '/v1/audit')).toBe(404); // let in: the owner holds nothing
    expect(await asDave('PUT', '/v1/audit/retention', { retentionDays: 1, reason: 'x' })).toBe(403);
    expect((await grant(defaultAdmin, 'dave@example.com', 'audit-admin')).status).toBe(201);
    expect(await asDave('PUT', '/v1/audit/retention', { retentionDays: 1, reason: 'x' })).toBe(404);
    const listed = (await (await fetch(`${base}/v1/tenant-roles`, { headers: defaultAdmin })).json()) as {
      items: { subject: string; role: string }[];
    };
    expect(listed.items.filter((item) => item.subject === 'dave@example.com').map((item) => item.role)).toEqual([
      'audit-admin',
      'auditor',
    ]);

    for (const role of ['audit-admin', 'auditor']) {
      const revoked = await fetch(`${base}/v1/tenant-roles/${role}/dave%40example.com`, {
        method: 'DELETE',
        headers: { authorization: defaultAdmin.authorization },
      });
      expect(revoked.status).toBe(200);
    }
    expect(await asDave('GET', '/v1/audit')).toBe(403);
    const history = (await store.readStream(tenantRolesStreamId(tenant)))
      .filter((r) => (r.event.payload as { subject: string }).subject === 'dave@example.com')
      .map((r) => `${r.event.type} ${r.event.projectId} ${(r.event.payload as { role: string }).role}`);
    expect(history).toEqual([
      'ProjectRoleGranted * auditor',
      'ProjectRoleGranted * audit-admin',
      'ProjectRoleRevoked * audit-admin',
      'ProjectRoleRevoked * auditor',
    ]);
  });

  it('issues API keys with tenant roles only in project default, and only its admins do', async () => {
    const defaultAdmin = {
      authorization: `Bearer ${await tokenFor('default-admin')}`,
      'content-type': 'application/json',
    };
    const projectAdmin = { authorization: `Bearer ${await tokenFor('admin')}`, 'content-type': 'application/json' };
    const body = JSON.stringify({ name: 'auditor', role: 'viewer', tenantRoles: ['auditor'] });
    const elsewhere = await fetch(`${base}/v1/projects/${project}/api-keys`, {
      method: 'POST',
      headers: projectAdmin,
      body,
    });
    expect(elsewhere.status).toBe(403);
    expect(((await elsewhere.json()) as { detail: string }).detail).toBe(
      'tenant roles (auditor) are granted only on keys of project default, by its admins',
    );
    expect(
      (await fetch(`${base}/v1/projects/default/api-keys`, { method: 'POST', headers: projectAdmin, body })).status,
    ).toBe(403);
    expect(
      (
        await fetch(`${base}/v1/projects/default/api-keys`, {
          method: 'POST',
          headers: defaultAdmin,
          body: JSON.stringify({ name: 'x', role: 'viewer', tenantRoles: ['admin'] }),
        })
      ).status,
    ).toBe(400);
    const issued = await fetch(`${base}/v1/projects/default/api-keys`, { method: 'POST', headers: defaultAdmin, body });
    expect(issued.status).toBe(201);
    const { key, tenantRoles } = (await issued.json()) as { key: string; tenantRoles: string[] };
    expect(tenantRoles).toEqual(['auditor']);
    const as = async (method: string, path: string, body?: unknown): Promise<number> => {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      await response.body?.cancel();
      return response.status;
    };
    expect(await as('GET', '/v1/audit')).toBe(404); // let in: the owner holds nothing
    expect(await as('PUT', '/v1/audit/retention', { retentionDays: 1, reason: 'x' })).toBe(403);
    expect(await as('POST', '/v1/audit/subjects/forget', { subject: 'someone' })).toBe(403);
  });
});
