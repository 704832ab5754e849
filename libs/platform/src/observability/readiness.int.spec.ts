import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import { logLevel, type Admin } from 'kafkajs';
import { createKafka } from '../kafka/kafka-config.js';
import { testDatabaseUrl, testKafkaSettings } from '../testing/index.js';
import { createServiceApp } from '../service/run-service.js';
import type { ReadinessChecks } from './health.js';
import { createLogger } from './logger.js';
import { kafkaReadiness, postgresReadiness } from './readiness-checks.js';
import { READINESS_CHECKS } from './tokens.js';

/** /readyz answers 200 only while the database and the broker answer, and says which one does not. */
describe('/readyz', () => {
  const apps: NestFastifyApplication[] = [];
  const pools: pg.Pool[] = [];
  const admins: Admin[] = [];
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await Promise.all(admins.map((admin) => admin.disconnect()));
    await Promise.all(pools.map((pool) => pool.end()));
  });

  async function serviceWith(databaseUrl: string, brokers: string[]): Promise<string> {
    const pool = new pg.Pool({ connectionString: databaseUrl, connectionTimeoutMillis: 1_000 });
    pools.push(pool);
    const admin = createKafka(
      { ...testKafkaSettings('readiness'), brokers },
      { retry: { retries: 0 }, logLevel: logLevel.NOTHING },
    ).admin();
    admins.push(admin);
    @Module({})
    class Dependencies implements OnModuleInit {
      constructor(@Inject(READINESS_CHECKS) private readonly readiness: ReadinessChecks) {}
      onModuleInit(): void {
        this.readiness.register(postgresReadiness(pool));
        this.readiness.register(kafkaReadiness(admin));
      }
    }
    const config = {
      serviceName: 'readiness-test',
      host: '127.0.0.1',
      port: 0,
      logLevel: 'silent' as const,
      redactPaths: [],
    };
    const app = await createServiceApp(Dependencies, config, createLogger(config));
    apps.push(app);
    await app.listen({ port: 0, host: '127.0.0.1' });
    return `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  }

  it('is ready when PostgreSQL and Kafka answer', async () => {
    const url = await serviceWith(testDatabaseUrl(), testKafkaSettings('readiness').brokers);
    const response = await fetch(`${url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ready: true, checks: { postgres: { ok: true }, kafka: { ok: true } } });
  });

  it('is not ready, naming the dependency, when one does not answer', async () => {
    const url = await serviceWith('postgres://evalvault@127.0.0.1:1/evalvault_test', ['127.0.0.1:1']);
    const response = await fetch(`${url}/readyz`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as { ready: boolean; checks: Record<string, { ok: boolean; error?: string }> };
    expect(body.ready).toBe(false);
    expect(body.checks['postgres']).toMatchObject({ ok: false, error: expect.stringMatching(/ECONNREFUSED|connect/) });
    expect(body.checks['kafka']!.ok).toBe(false);
    expect((await fetch(`${url}/healthz`)).status).toBe(200); // alive all the same
  });
});
