import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { EventCodec, type EvalVaultEvent } from '@evalvault/contracts';
import { sampleRunRequested, testEvent } from '@evalvault/contracts/testing';
import {
  busMetrics,
  createKafka,
  EventRelay,
  KafkaEventClient,
  KafkaEventServer,
  migrateContentStore,
  migrateEventStore,
  PostgresCheckpointStore,
  PostgresContentStore,
  PostgresEventStore,
  runMigrations,
  type CommandContext,
} from '@evalvault/platform';
import { testDatabaseUrl, testKafkaSettings } from '@evalvault/platform/testing';
import { RegistryCommands } from '../resource/registry.commands.js';
import { REGISTRY_STREAM_PREFIXES } from '../resource/resource-kind.js';
import { resourceRepository } from '../resource/resource.repository.js';
import { REGISTRY_READ_MODEL_EVENT_TYPES, RegistryProjection } from './registry.projection.js';
import { RegistryQueries } from './registry.queries.js';
import { REGISTRY_READ_MODEL_MIGRATIONS, REGISTRY_SCHEMA } from '../migrations/registry.migrations.js';

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined && done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The distributed path: the registry's events go store → relay → Kafka → its read-model
 * consumer (commands here feed nothing directly), and the runs topic's RunRequested and
 * RunCompleted become lineage of the versions a run pinned. Redeliveries change nothing.
 */
describe('registry read model over Kafka', () => {
  const logger = pino({ level: 'silent' });
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let dataSource: DataSource;
  let relay: EventRelay;
  let server: KafkaEventServer;
  let client: KafkaEventClient;
  let queries: RegistryQueries;
  let commands: RegistryCommands;
  let projection: RegistryProjection;

  beforeAll(async () => {
    await migrateEventStore(testDatabaseUrl());
    await migrateContentStore(testDatabaseUrl());
    await runMigrations(testDatabaseUrl(), REGISTRY_SCHEMA, REGISTRY_READ_MODEL_MIGRATIONS);
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 6 });
    store = new PostgresEventStore(pool, new EventCodec());
    dataSource = await new DataSource({ type: 'postgres', url: testDatabaseUrl(), logging: false }).initialize();
    const content = new PostgresContentStore(pool);
    projection = new RegistryProjection(dataSource);
    queries = new RegistryQueries(dataSource, content);
    commands = new RegistryCommands(
      resourceRepository(store, { now: Date.now, newId: randomUUID }),
      content,
      { apply: async () => false },
      { maxBytes: 1e6, maxLineBytes: 1e5 },
      logger,
    );

    const kafka = createKafka(testKafkaSettings('registry-read-model-test'));
    const metrics = busMetrics(new Registry());
    client = new KafkaEventClient(kafka, metrics);
    server = new KafkaEventServer({
      kafka,
      groupId: `registry-test-${randomUUID()}`,
      logger,
      metrics,
      fromBeginning: false,
      policy: { maxAttempts: 20, initialBackoffMs: 20, maxBackoffMs: 200 },
    });
    for (const type of REGISTRY_READ_MODEL_EVENT_TYPES)
      server.addHandler(
        type,
        async (event: unknown) => {
          await projection.apply(event as EvalVaultEvent);
        },
        true,
      );
    await new Promise<void>((resolve, reject) =>
      server.listen((error?: unknown) => (error ? reject(error) : resolve())),
    );
    await server.ready;
    relay = new EventRelay(store, client, new PostgresCheckpointStore(pool), {
      name: `registry-test-${randomUUID()}`,
      filter: { streamPrefixes: [...REGISTRY_STREAM_PREFIXES] },
      logger,
      registry: new Registry(),
      startWhenNew: () => store.headPosition(),
    });
    await relay.start();
  });

  afterAll(async () => {
    await relay.stop();
    await server.close();
    await client.close();
    await store.close();
    await dataSource.destroy();
    await pool.end();
  });

  it('projects registrations and approvals relayed through Kafka, and records lineage from run events', async () => {
    const tenantId = `tenant-${randomUUID()}`;
    const projectId = 'search';
    const scope = { tenantId, projectId };
    const context = (subject: string): CommandContext => ({
      ...scope,
      actor: { subject, authMethod: 'oidc', apiKeyId: null },
      correlationId: randomUUID(),
      causationId: null,
    });
    const cases = [
      '{"question":"Q1?","answer":"A","contexts":["A"]}',
      '{"question":"Q2?","answer":"B","contexts":["B"]}',
    ].join('\n');
    const dataset = await commands.registerDataset(
      { name: 'faq' },
      [cases] as unknown as AsyncIterable<string>,
      context('alice'),
    );
    await commands.approveVersion('dataset', dataset.id, 1, 'ok to use', context('bob'));

    const view = await eventually(
      () => queries.getVersion(scope, 'dataset', dataset.id, 1),
      (v) => v.approval !== null,
      'the approved version',
    );
    expect(view).toMatchObject({
      contentHash: dataset.contentHash,
      registeredBy: 'alice',
      details: { caseCount: 2 },
      approval: { approvedBy: 'bob', comment: 'ok to use' },
    });

    const requested = sampleRunRequested();
    const run = {
      ...requested,
      tenantId,
      projectId,
      payload: {
        ...requested.payload,
        dataset: { id: dataset.id, name: 'faq', version: 1, contentHash: dataset.contentHash },
        prompt: null,
        inlineCases: null,
      },
    };
    const completed = testEvent(
      'RunCompleted',
      {
        runId: run.payload.runId,
        totalCases: 2,
        evaluatedCases: 2,
        failedCases: 0,
        aggregates: [],
        durationMs: 10,
        usage: null,
      },
      { streamId: run.streamId, tenantId, projectId },
    );
    await client.publishBatch([run, completed, run]); // the duplicate is absorbed by the inbox

    const lineage = await eventually(
      () => queries.getVersion(scope, 'dataset', dataset.id, 1),
      (v) => v.lineage.runs[0]?.status === 'completed',
      'lineage of the run',
    );
    expect(lineage.lineage).toEqual({
      total: 1,
      runs: [
        {
          runId: run.payload.runId,
          status: 'completed',
          contentHash: dataset.contentHash,
          configHash: run.payload.configHash,
          requestedAt: expect.any(String),
          finishedAt: expect.any(String),
        },
      ],
    });
    expect(await projection.apply(run)).toBe(false); // already applied once
  });
});
