import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import pg from 'pg';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { EventCodec, type EvalVaultEvent, type LearningUpdated, type RunRequested } from '@evalvault/contracts';
import { testEvent } from '@evalvault/contracts/testing';
import {
  busMetrics,
  createKafka,
  createLogger,
  createServiceApp,
  KafkaEventClient,
  KafkaEventServer,
  migrateEventStore,
  PostgresEventStore,
  runMigrations,
  type CommandContext,
} from '@evalvault/platform';
import { testDatabaseUrl, testKafkaSettings } from '@evalvault/platform/testing';
import { RUNS_MIGRATIONS, RUNS_SCHEMA } from '../migrations/runs.migrations.js';
import { scheduledBatches } from '../planning/testing/scheduled-batches.js';
import { NoRegisteredDatasets } from '../planning/dataset-content.port.js';
import { RunPlanner } from '../planning/run-planner.js';
import { RunCommands } from '../run/run.commands.js';
import { RunError } from '../run/run.errors.js';
import { runRepository, runStreamId } from '../run/run.repository.js';
import { READ_MODEL } from '../runs.consumers.js';
import { RunsModule, type RunsHandlers } from '../runs.module.js';
import { CaseScorer } from '../work/case-scorer.js';
import { CaseWorker } from '../work/case-worker.js';
import { judgeFactory } from '../work/judge-factory.js';
import { RunCompleter } from '../work/run-completer.js';
import { loadConfig } from '../config.js';
import { RunsProjection } from './runs.projection.js';
import { RunsQueries } from './runs.queries.js';
import { secretResolver } from '@evalvault/platform';

// A new group pinned to the end of the runs, gates and memory topics: kafkajs' setOffsets takes ~5 s a topic.
jest.setTimeout(180_000);

const METRIC = 'faithfulness_lexical';
const DATASET = 'help-desk';

/**
 * Domain Memory's learned baselines reach the runs service only as LearningUpdated on the memory
 * topic (real Kafka, the read model's own handler): the latest version is kept, a redelivery or
 * an older update changes nothing, and a run submitted with memory use is gated against the
 * learned mean (real PostgreSQL, planner, worker and completer on the event store).
 */
describe('runs gated against memory’s learned baselines over Kafka', () => {
  const logger = pino({ level: 'silent' });
  const sources = { now: Date.now, newId: randomUUID };
  let pool: pg.Pool;
  let dataSource: DataSource;
  let store: PostgresEventStore;
  let app: NestFastifyApplication;
  let client: KafkaEventClient;
  let queries: RunsQueries;
  let commands: RunCommands;
  let planner: RunPlanner;
  let worker: CaseWorker;

  beforeAll(async () => {
    await migrateEventStore(testDatabaseUrl());
    await runMigrations(testDatabaseUrl(), RUNS_SCHEMA, RUNS_MIGRATIONS);
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 6 });
    dataSource = await new DataSource({ type: 'postgres', url: testDatabaseUrl(), logging: false }).initialize();
    store = new PostgresEventStore(pool, new EventCodec());
    queries = new RunsQueries(dataSource);
    const runs = runRepository(store, sources);
    const config = loadConfig({ DATABASE_URL: testDatabaseUrl() });
    const scorer = new CaseScorer(judgeFactory(config.judge, pool, secretResolver({})), Date.now);
    commands = new RunCommands(runs, randomUUID);
    planner = new RunPlanner(runs, store, sources, new NoRegisteredDatasets(), { judged: 2, deterministic: 2 }, logger);
    worker = new CaseWorker(runs, scorer, new RunCompleter(runs, queries, Date.now), 2, logger);

    const kafka = createKafka(testKafkaSettings('runs-learned-baselines-test'));
    const metrics = busMetrics(new Registry());
    const server = new KafkaEventServer({
      kafka,
      groupId: `runs-read-model-test-${randomUUID()}`,
      transportId: READ_MODEL,
      logger,
      metrics,
      fromBeginning: false,
    });
    const serviceConfig = { serviceName: 'runs-test', host: '127.0.0.1', port: 0, logLevel: 'silent' as const };
    const parts = { projection: new RunsProjection(dataSource) } as unknown as RunsHandlers;
    app = await createServiceApp(
      RunsModule.with(parts),
      { ...serviceConfig, redactPaths: [] },
      createLogger({ ...serviceConfig, redactPaths: [] }),
    );
    app.connectMicroservice({ strategy: server });
    await app.startAllMicroservices();
    await server.ready;
    client = new KafkaEventClient(kafka, metrics);
    await client.connect();
  });

  afterAll(async () => {
    await client.close();
    await app.close();
    await store.close();
    await pool.end();
    await dataSource.destroy();
  });

  const contextOf = (tenantId: string): CommandContext => ({
    tenantId,
    projectId: 'default',
    actor: { subject: 'ci', authMethod: 'api_key', apiKeyId: null },
    correlationId: randomUUID(),
    causationId: null,
  });

  const learning = (tenantId: string, version: number, mean: number): LearningUpdated =>
    testEvent(
      'LearningUpdated',
      {
        learningId: 'e'.repeat(32),
        datasetKey: `inline:${DATASET}`,
        metric: METRIC,
        runId: `learned-run-${version}`,
        baseline: { count: version, mean, p10: mean, p50: mean, p90: mean, passRate: 1 },
        reliability: [],
        failurePatterns: [],
        successPatterns: [],
      },
      { tenantId, projectId: 'default', streamId: `memorylearning-${'e'.repeat(32)}` },
    );

  async function learnedRow(tenantId: string): Promise<{ version: number; mean: number } | undefined> {
    const { rows } = await pool.query(
      `SELECT version, mean FROM runs.learned_baselines WHERE tenant_id = $1 AND dataset_key = $2 AND metric = $3`,
      [tenantId, `inline:${DATASET}`, METRIC],
    );
    return rows[0];
  }

  async function waitFor<T>(what: string, read: () => Promise<T | undefined>, done: (v: T) => boolean): Promise<T> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const value = await read();
      if (value !== undefined && done(value)) return value;
      if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  const cases = [
    {
      id: 'vpn',
      question: 'How?',
      answer: 'Use the GlobalGate VPN client.',
      contexts: ['Use the GlobalGate VPN client.'],
    },
    { id: 'fax', question: 'Fax?', answer: 'Bananas are purple.', contexts: ['The office opens at nine.'] },
  ];

  async function runWithMemory(tenantId: string, rules: string[]): Promise<EvalVaultEvent[]> {
    const { runId } = await commands.submitRun(
      { dataset: { name: DATASET, cases }, metrics: [METRIC], gate: { rules }, memory: { use: true } },
      contextOf(tenantId),
    );
    const requested = (await store.readStream(runStreamId(runId)))[0]!.event as RunRequested;
    expect(requested.payload.memory).toEqual({ use: true });
    await planner.plan(requested);
    for (const batch of await scheduledBatches(store, runId)) await worker.work(batch);
    return (await store.readStream(runStreamId(runId))).map((r) => r.event);
  }

  it('keeps the latest LearningUpdated and gates a run using memory against the learned mean', async () => {
    const tenantId = `tenant-${randomUUID()}`;
    const first = learning(tenantId, 1, 0.3);
    const second = learning(tenantId, 2, 0.6);
    await client.publishBatch([first, second]);
    await waitFor(
      'learned baseline v2',
      () => learnedRow(tenantId),
      (row) => row.version === 2,
    );
    // A redelivery of the first, and an older version arriving late under a new event id: neither wins.
    await client.publishBatch([first, learning(tenantId, 1, 0.1)]);
    const marker = learning(`tenant-${randomUUID()}`, 1, 0.5); // on the same partition order, a sign they were read
    await client.publishBatch([marker]);
    await waitFor(
      'marker',
      () => learnedRow(marker.tenantId),
      () => true,
    );
    expect(await learnedRow(tenantId)).toEqual({ version: 2, mean: 0.6 });

    const events = await runWithMemory(tenantId, [`mean(${METRIC}) >= baseline - 0.05`]);
    const completed = events.find((e) => e.type === 'RunCompleted');
    const verdict = events.at(-1)!;
    expect(completed?.type).toBe('RunCompleted');
    const mean = completed?.type === 'RunCompleted' ? completed.payload.aggregates[0]!.mean : NaN;
    if (verdict.type !== 'GatePassed' && verdict.type !== 'GateFailed') throw new Error(`no verdict: ${verdict.type}`);
    // The learned mean 0.6, not any run's: threshold 0.6 - 0.05 = 0.55.
    expect(verdict.payload.rules[0]).toMatchObject({ baselineValue: 0.6, threshold: 0.55, noBaseline: false });
    expect(verdict.payload.rules[0]!.actual).toBeCloseTo(mean, 9);
    expect(verdict.type).toBe(mean >= 0.55 ? 'GatePassed' : 'GateFailed');
    expect(verdict.payload.baselineRunId).toBeNull();
    expect(verdict.payload.baselineSource).toEqual({
      kind: 'memory',
      runId: null,
      learnings: [{ metric: METRIC, learningId: 'e'.repeat(32), version: 2, runId: 'learned-run-2' }],
    });
  });

  it('marks the rule noBaseline when memory has learned nothing of the dataset (policy fail)', async () => {
    const events = await runWithMemory(`tenant-${randomUUID()}`, [`mean(${METRIC}) >= baseline - 0.05`]);
    expect(events.at(-1)).toMatchObject({
      type: 'GateFailed',
      payload: { rules: [{ noBaseline: true, passed: false }], baselineSource: { kind: 'memory', learnings: [] } },
    });
  });

  it('refuses at submission a baseline rule memory cannot judge, naming the rule and column', async () => {
    const submit = commands.submitRun(
      {
        dataset: { name: DATASET, cases },
        metrics: [METRIC],
        gate: { rules: [`mean(${METRIC}) >= 0.1`, `min(${METRIC}) >= baseline`] },
        memory: { use: true },
      },
      contextOf(`tenant-${randomUUID()}`),
    );
    await expect(submit).rejects.toThrow(RunError);
    await expect(submit).rejects.toThrow(
      `gate.rules[1] "min(${METRIC}) >= baseline": column 1: memory's learned baseline has no min`,
    );
  });
});
