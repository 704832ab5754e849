import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import {
  createLogger,
  createServiceApp,
  migrateEventStore,
  PostgresEventStore,
  runMigrations,
} from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import { GATEWAY_MIGRATIONS, GATEWAY_SCHEMA } from '../migrations/gateway.migrations.js';
import { createGatewayRuntime, type GatewayClients } from '../gateway.runtime.js';

/** 700 unknown keys used to cost 700 database lookups: an address that keeps failing now gets 429 first. */
describe('a limit on refused credentials before authentication', () => {
  let app: NestFastifyApplication;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let base: string;
  const adminKey = `evk_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`;

  beforeAll(async () => {
    await migrateEventStore(testDatabaseUrl());
    await runMigrations(testDatabaseUrl(), GATEWAY_SCHEMA, GATEWAY_MIGRATIONS);
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 4 });
    store = new PostgresEventStore(pool);
    const config = { serviceName: 'gateway', host: '127.0.0.1', port: 0, logLevel: 'silent' as const, redactPaths: [] };
    const logger = createLogger(config);
    const gateway = await createGatewayRuntime({
      config: {
        bootstrapAdminKey: adminKey,
        http: { bodyLimit: 1024 * 1024, rateLimit: { max: 100_000, windowMs: 60_000 }, authFailuresMax: 5 },
      },
      logger,
      pool,
      store,
      pepper: randomBytes(32),
      oidc: null,
      clients: { runs: { call: async () => ({ items: [], nextCursor: null }) } } as unknown as GatewayClients,
    });
    app = await createServiceApp(gateway.module, config, logger);
    await gateway.beforeListen(app);
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await app.close();
    await store.close();
    await pool.end();
  });

  it('answers 429 with Retry-After once an address has presented too many refused credentials', async () => {
    const get = (key: string): Promise<Response> =>
      fetch(`${base}/v1/projects/default/runs`, { headers: { authorization: `Bearer ${key}` } });
    const unknown = (): string => `evk_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`;
    expect((await get(adminKey)).status).toBe(200); // valid requests do not count
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await get(unknown())).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    const blocked = await get(adminKey);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await blocked.json()).toMatchObject({ code: 'RATE_LIMITED' });
  });
});
