import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { testEvent } from '@evalvault/contracts/testing';
import {
  createLogger,
  createServiceApp,
  InProcessServiceClient,
  migrateEventStore,
  PostgresEventStore,
  runMigrations,
  ServiceClientError,
  ServiceClientErrorCode,
} from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import type { AuditEntryView, AuditOperations, AuditStreams, RetentionChangeView } from '@evalvault/service-apis';
import {
  AUDIT_MIGRATIONS,
  AUDIT_SCHEMA,
  auditOperationHandlers,
  auditStreamHandlers,
  composeAuditParts,
  retentionStreamId,
  type AuditParts,
} from '@evalvault/service-audit';
import {
  createGatewayRuntime,
  GATEWAY_MIGRATIONS,
  GATEWAY_SCHEMA,
  type GatewayClients,
} from '@evalvault/service-gateway';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const DELAY = 72 * HOUR;
const START = Date.UTC(2026, 10, 26, 12, 0);
const iso = (time: number): string => new Date(time).toISOString();

/**
 * The audit roles and the controls on destroying audit history, over HTTP through the real
 * gateway (API keys and OIDC tokens, the role matrix, /tenant-roles grants) and the real audit
 * service (its internal API in-process, on PostgreSQL), with the audit service's clock in the
 * test's hands: a shortening's 72-hour delay passes by moving the clock, never by waiting.
 * The tenant is a fresh one of this test; the bootstrap key (tenant `default`) only reads.
 */
describe('audit roles and retention controls through the gateway', () => {
  let clock = START;
  let app: NestFastifyApplication;
  let base: string;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let dataSource: DataSource;
  let jwks: Server;
  let audit: AuditParts;
  let privateKey: CryptoKey;
  let issuer: string;
  const kid = `test-${randomUUID()}`;
  const tenant = `tenant-${randomBytes(4).toString('hex')}`;
  const bootstrapKey = `evk_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`;

  beforeAll(async () => {
    await migrateEventStore(testDatabaseUrl());
    await runMigrations(testDatabaseUrl(), GATEWAY_SCHEMA, GATEWAY_MIGRATIONS);
    await runMigrations(testDatabaseUrl(), AUDIT_SCHEMA, AUDIT_MIGRATIONS);
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 6 });
    store = new PostgresEventStore(pool);
    dataSource = await new DataSource({ type: 'postgres', url: testDatabaseUrl(), logging: false }).initialize();
    audit = composeAuditParts({ pool, dataSource, store }, { shorteningDelayMs: DELAY, now: () => clock });

    const keys = await generateKeyPair('RS256', { extractable: true });
    privateKey = keys.privateKey;
    const publicJwk: JWK = { ...(await exportJWK(keys.publicKey)), kid, use: 'sig', alg: 'RS256' };
    jwks = createServer((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: [publicJwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}`;

    const holdsNothing = {
      call: async () => {
        throw new ServiceClientError(ServiceClientErrorCode.NotFound, 'nothing here');
      },
    };
    const config = { serviceName: 'gateway', host: '127.0.0.1', port: 0, logLevel: 'silent' as const, redactPaths: [] };
    const logger = createLogger(config);
    const gateway = await createGatewayRuntime({
      config: {
        bootstrapAdminKey: bootstrapKey,
        http: { bodyLimit: 1024 * 1024, rateLimit: { max: 100_000, windowMs: 60_000, tenantMax: {} } },
      },
      logger,
      pool,
      store,
      pepper: randomBytes(32),
      oidc: { issuer, audience: 'evalvault-api', jwksUri: `${issuer}/jwks` },
      clients: {
        runs: holdsNothing,
        audit: new InProcessServiceClient<AuditOperations, AuditStreams>(
          'audit',
          auditOperationHandlers({ ...audit, newId: randomUUID }),
          auditStreamHandlers(audit.queries),
        ),
      } as GatewayClients,
    });
    app = await createServiceApp(gateway.module, config, logger);
    await gateway.beforeListen(app);
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app.close();
    await new Promise((resolve) => jwks.close(resolve));
    await dataSource.destroy();
    await store.close();
    await pool.end();
  });

  const tokenOf = (subject: string, roles: Record<string, string[]> = {}): Promise<string> =>
    new SignJWT({ iss: issuer, aud: 'evalvault-api', sub: subject, tenant, evalvault_roles: roles })
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' })
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
  const call = (credential: string, method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${credential}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  const statusOf = async (response: Promise<Response>): Promise<number> => {
    const answered = await response;
    await answered.body?.cancel();
    return answered.status;
  };
  /** What the relay and the audit log's consumer do with the events the gateway and the audit service append. */
  const deliver = async (streamId: string): Promise<void> => {
    for (const { event } of await store.readStream(streamId)) await audit.projection.apply(event);
  };

  /** The project-default admin of the tenant grants the audit roles by name, as a user would. */
  let root: string;
  let auditor: string;
  let auditAdmin: string;
  beforeAll(async () => {
    root = await tokenOf('root@example.com', { default: ['admin'] });
    auditor = await tokenOf('aud@example.com');
    auditAdmin = await tokenOf('ada@example.com');
    for (const [subject, role] of [
      ['aud@example.com', 'auditor'],
      ['ada@example.com', 'audit-admin'],
    ])
      expect(await statusOf(call(root, 'POST', '/v1/tenant-roles', { subject, role }))).toBe(201);
  });

  it('gives the bootstrap key project default to administer and no audit log to read', async () => {
    for (const [method, path, body] of [
      ['GET', '/v1/audit', undefined],
      ['GET', '/v1/audit/export', undefined],
      ['POST', '/v1/audit/replay', undefined],
      ['GET', '/v1/audit/retention', undefined],
      ['PUT', '/v1/audit/retention', { retentionDays: 1, reason: 'cover my tracks' }],
      ['POST', '/v1/audit/subjects/forget', { subject: 'someone@example.com' }],
    ] as const)
      expect({ method, path, status: await statusOf(call(bootstrapKey, method, path, body)) }).toEqual({
        method,
        path,
        status: 403,
      });
    const { rows } = await pool.query<{ tenant_roles: string[] }>(
      'SELECT tenant_roles FROM gateway.api_keys WHERE key_id = $1',
      [bootstrapKey.slice(4, 16)],
    );
    expect(rows).toEqual([{ tenant_roles: [] }]);
    // It grants an audit role explicitly, to a key of its own project, and that key reads.
    const issued = await call(bootstrapKey, 'POST', '/v1/projects/default/api-keys', {
      name: 'compliance',
      role: 'viewer',
      tenantRoles: ['auditor'],
    });
    expect(issued.status).toBe(201);
    const { key } = (await issued.json()) as { key: string };
    expect(await statusOf(call(key, 'GET', '/v1/audit'))).toBe(200);
    expect(await statusOf(call(key, 'PUT', '/v1/audit/retention', { retentionDays: 1, reason: 'x' }))).toBe(403);
  });

  it('lets an auditor read, but not change the retention or forget', async () => {
    expect(await statusOf(call(auditor, 'GET', '/v1/audit'))).toBe(200);
    expect(await statusOf(call(auditor, 'GET', '/v1/audit/retention'))).toBe(200);
    expect(await statusOf(call(auditor, 'POST', '/v1/audit/replay'))).toBe(200);
    const refused = await call(auditor, 'PUT', '/v1/audit/retention', { retentionDays: 1, reason: 'x' });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({
      code: 'FORBIDDEN',
      detail: 'audit.retention needs a role you do not hold',
    });
    expect(await statusOf(call(auditor, 'DELETE', '/v1/audit/retention/pending'))).toBe(403);
    expect(await statusOf(call(auditor, 'POST', '/v1/audit/subjects/forget', { subject: 'eve@example.com' }))).toBe(
      403,
    );
  });

  it('shortens only with a reason, after the delay: purges keep the longer retention until then', async () => {
    // 100, 50 and 10 days old when the shortening is asked for.
    const history = [100, 50, 10].map((age, index) => ({
      ...testEvent('RunStarted', { runId: `r-${index}`, totalCases: 1 }, { tenantId: tenant }),
      streamId: `audit-controls-${randomUUID()}`,
      occurredAt: START - age * DAY,
    }));
    for (const event of history) {
      await store.append(event.streamId, [event], 'any');
      await audit.projection.apply(event);
    }
    const runStarted = async (): Promise<number> =>
      ((await (await call(auditor, 'GET', '/v1/audit?action=RunStarted')).json()) as { items: unknown[] }).items.length;

    const unexplained = await call(auditAdmin, 'PUT', '/v1/audit/retention', { retentionDays: 30 });
    expect(unexplained.status).toBe(400);
    expect(await unexplained.json()).toMatchObject({
      code: 'INVALID_INPUT',
      detail: 'shortening the audit retention from for ever to 30 days needs a reason',
    });
    expect(await statusOf(call(auditAdmin, 'PUT', '/v1/audit/retention', { retentionDays: 30, reason: '  ' }))).toBe(
      400,
    );

    const scheduled = await call(auditAdmin, 'PUT', '/v1/audit/retention', {
      retentionDays: 30,
      reason: 'storage costs',
    });
    expect(scheduled.status).toBe(202);
    const view = (await scheduled.json()) as RetentionChangeView;
    expect(view).toEqual({
      change: 'shortening-scheduled',
      retentionDays: null,
      pending: {
        retentionDays: 30,
        reason: 'storage costs',
        requestedAt: iso(START),
        effectiveAt: iso(START + DELAY),
        eventId: expect.any(String),
      },
      anchor: null,
    });
    // Auditors see it coming, and the log says who asked, why, from what to what.
    expect(await (await call(auditor, 'GET', '/v1/audit/retention')).json()).toMatchObject({
      retentionDays: null,
      pending: view.pending,
    });
    await deliver(retentionStreamId(tenant));
    const entries = (await (await call(auditor, 'GET', '/v1/audit?action=AuditRetentionChanged')).json()) as {
      items: AuditEntryView[];
    };
    expect(entries.items).toEqual([
      expect.objectContaining({
        actor: expect.objectContaining({ subject: 'ada@example.com', authMethod: 'oidc' }),
        details: {
          change: 'shortening-scheduled',
          fromDays: null,
          toDays: 30,
          reason: 'storage costs',
          effectiveAt: iso(START + DELAY),
        },
      }),
    ]);

    // A minute before the delay ends, a purge keeps everything (for ever is still in force).
    clock = START + DELAY - 60_000;
    expect(await audit.retention.purge(tenant, clock)).toBe(0);
    expect(await runStarted()).toBe(3);
    expect(await (await call(auditor, 'GET', '/v1/audit/retention')).json()).toMatchObject({ retentionDays: null });
    // Once it has passed, the shortening is in force and the purge uses it.
    clock = START + DELAY;
    expect(await audit.retention.purge(tenant, clock)).toBe(2);
    expect(await runStarted()).toBe(1);
    expect(await (await call(auditor, 'GET', '/v1/audit/retention')).json()).toMatchObject({
      retentionDays: 30,
      pending: null,
      anchor: { purgedCount: 2 },
    });

    // Lengthening needs no reason and is in force at once.
    const lengthened = await call(auditAdmin, 'PUT', '/v1/audit/retention', { retentionDays: 90 });
    expect(lengthened.status).toBe(200);
    expect(await lengthened.json()).toMatchObject({ change: 'applied', retentionDays: 90, pending: null });

    // A waiting shortening can be cancelled, and then never takes effect.
    expect(
      await statusOf(call(auditAdmin, 'PUT', '/v1/audit/retention', { retentionDays: 1, reason: 'clean-up' })),
    ).toBe(202);
    const cancelled = await call(auditAdmin, 'DELETE', '/v1/audit/retention/pending?reason=typo');
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({ change: 'shortening-cancelled', retentionDays: 90, pending: null });
    expect(await statusOf(call(auditAdmin, 'DELETE', '/v1/audit/retention/pending'))).toBe(404);
    clock = START + 3 * DELAY;
    expect(await audit.retention.purge(tenant, clock)).toBe(0);
    expect(await runStarted()).toBe(1);
  });

  it('lets no one forget themselves, as a user or as an API key', async () => {
    const own = await call(auditAdmin, 'POST', '/v1/audit/subjects/forget', {
      subject: 'ada@example.com',
      reason: 'erasure request',
    });
    expect(own.status).toBe(403);
    expect(own.headers.get('content-type')).toContain('application/problem+json');
    expect(await own.json()).toMatchObject({
      code: 'FORBIDDEN',
      detail: 'you cannot forget your own subject: another audit-admin must make the request',
    });
    const issued = await call(root, 'POST', '/v1/projects/default/api-keys', {
      name: 'erasure-bot',
      role: 'viewer',
      tenantRoles: ['audit-admin'],
    });
    expect(issued.status).toBe(201);
    const { key, apiKeyId } = (await issued.json()) as { key: string; apiKeyId: string };
    // The grant is in the log: who issued which key with which tenant roles.
    await deliver(`apikey-${apiKeyId}`);
    const grants = (await (
      await call(auditor, 'GET', `/v1/audit?action=ApiKeyIssued&resource=api-key:${apiKeyId}`)
    ).json()) as { items: AuditEntryView[] };
    expect(grants.items).toEqual([
      expect.objectContaining({
        actor: expect.objectContaining({ subject: 'root@example.com' }),
        details: { role: 'viewer', expiresAt: null, tenantRoles: 'audit-admin' },
      }),
    ]);
    expect(await statusOf(call(key, 'POST', '/v1/audit/subjects/forget', { subject: `api-key:${apiKeyId}` }))).toBe(
      403,
    );
    // Another subject is an audit-admin's to forget.
    const forgotten = await call(key, 'POST', '/v1/audit/subjects/forget', {
      subject: 'eve@example.com',
      reason: 'erasure request',
    });
    expect(forgotten.status).toBe(200);
    expect(await forgotten.json()).toMatchObject({ pseudonym: expect.any(String) });
  });
});
