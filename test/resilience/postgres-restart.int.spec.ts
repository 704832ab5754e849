import { randomBytes, randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import pg from 'pg';
import { Registry } from 'prom-client';
import type { EventOfType } from '@evalvault/contracts';
import { testEvent } from '@evalvault/contracts/testing';
import { busMetrics, createKafka, KafkaEventClient, PostgresEventStore } from '@evalvault/platform';
import {
  OwnPostgres,
  startServiceProcess,
  stopRunsProcess,
  testKafkaSettings,
  type RunsProcess,
} from '@evalvault/platform/testing';

jest.setTimeout(120_000);

const tenantId = `tenant-${randomUUID()}`;

function datasetRegistered(): EventOfType<'DatasetVersionRegistered'> {
  const datasetId = randomUUID();
  return testEvent(
    'DatasetVersionRegistered',
    {
      datasetId,
      name: `restart-${datasetId.slice(0, 8)}`,
      version: 1,
      contentHash: 'c'.repeat(64),
      format: 'jsonl',
      caseCount: 1,
      contentRef: `blob-${datasetId}`,
      description: null,
    },
    { streamId: `dataset-${datasetId}`, tenantId },
  );
}

/** Polls until `probe` is true; fails at once, with its output, if the service process has exited. */
async function until(service: RunsProcess, what: string, probe: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    const { exitCode, signalCode } = service.child;
    if (exitCode !== null || signalCode !== null)
      throw new Error(
        `the service exited (${signalCode ?? exitCode}) before ${what}:\n${service.output().slice(-3000)}`,
      );
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * A service process (the registry: a relay on the store's LISTEN connection, a Kafka consumer
 * writing its read model, pools of pg and TypeORM) on a PostgreSQL of the test's own, which is
 * stopped and started again. pg reports the connections the restart cuts as 'error' events; one
 * unheard ended every service (exit 1). The process must stay up, say not ready while the database
 * is away, and resume: the relay publishes what is appended after the restart, and a message that
 * arrived during the outage is projected once the database is back, not dead-lettered.
 */
describe('a service process rides out a PostgreSQL restart', () => {
  const postgres = new OwnPostgres(Number(process.env['RESTART_PG_PORT'] ?? 15_433));
  const tag = `pg-restart-${randomUUID().slice(0, 8)}`;
  let registry: RunsProcess;
  let publisher: KafkaEventClient;
  let pool: pg.Pool;

  beforeAll(async () => {
    postgres.start(['registry']);
    registry = await startServiceProcess('registry', {
      DATABASE_URL: postgres.databaseUrl,
      RESTART_INTERNAL_SECRET: randomBytes(32).toString('base64url'),
      EVALVAULT_INTERNAL_SECRET_REF: 'env:RESTART_INTERNAL_SECRET',
      REGISTRY_RELAY_NAME: tag,
      REGISTRY_RELAY_START: 'latest',
      REGISTRY_CONSUMER_START: 'latest',
      REGISTRY_GROUP_PREFIX: tag,
    });
    publisher = new KafkaEventClient(createKafka(testKafkaSettings(tag)), busMetrics(new Registry()));
    pool = new pg.Pool({ connectionString: postgres.databaseUrl, max: 2 });
    pool.on('error', () => undefined); // the test's own idle connections are cut by the restart too
  });

  afterAll(async () => {
    if (registry) await stopRunsProcess(registry);
    await publisher?.close();
    await pool?.end();
    postgres.stop();
  });

  const readyz = async (): Promise<number> =>
    (await fetch(`${registry.url}/readyz`, { signal: AbortSignal.timeout(5_000) })).status;

  const projected = async (event: EventOfType<'DatasetVersionRegistered'>): Promise<boolean> => {
    const { rows } = await pool.query('SELECT 1 FROM registry.versions WHERE resource_id = $1 AND tenant_id = $2', [
      event.payload.datasetId,
      tenantId,
    ]);
    return rows.length === 1;
  };

  it('stays up, is not ready while the database is away, then publishes and projects again', async () => {
    await until(registry, 'the registry to be ready', async () => (await readyz()) === 200, 30_000);
    postgres.halt();
    await until(registry, '/readyz to say not ready', async () => (await readyz()) === 503, 15_000);
    // Arrives while the database is away: the consumer's attempts fail for the outage and must not
    // count towards the dead letter (five attempts take about 3 s; the outage lasts longer).
    const duringOutage = datasetRegistered();
    await publisher.publishBatch([duringOutage]);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(registry.child.exitCode).toBeNull();
    postgres.resume();

    await until(registry, '/readyz to say ready again', async () => (await readyz()) === 200, 30_000);
    const afterRestart = datasetRegistered();
    const store = new PostgresEventStore(pool);
    await store.append(afterRestart.streamId, [afterRestart], 'no_stream');
    await until(
      registry,
      'both events in the read model',
      async () => (await projected(duringOutage)) && (await projected(afterRestart)),
      30_000,
    );

    expect(registry.child.exitCode).toBeNull();
    expect(registry.child.signalCode).toBeNull();
    expect(registry.logLines('message dead-lettered')).toEqual([]);
    expect(
      registry.logLines('PostgreSQL LISTEN connection lost; subscriptions poll until it is back').length,
    ).toBeGreaterThan(0);
    // The listener retries with backoff (up to 5 s), so it may come back after polling has caught up.
    await until(
      registry,
      'the LISTEN connection back',
      async () => registry.logLines('PostgreSQL LISTEN connection back').length > 0,
      15_000,
    );
  });
});
