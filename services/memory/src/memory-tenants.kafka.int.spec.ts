import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import pg from 'pg';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import {
  caseEvaluatedPayload,
  EventCodec,
  type EvalVaultEvent,
  type RunCompleted,
  type RunRequested,
  type TestCase,
} from '@evalvault/contracts';
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
  PostgresEventStore,
  runMigrations,
  ServiceClientError,
  type InternalIdentity,
  type OperationHandlers,
} from '@evalvault/platform';
import { testDatabaseUrl, testKafkaSettings } from '@evalvault/platform/testing';
import type { FactView, MemoryOperations } from '@evalvault/service-apis';
import { memoryOperationHandlers } from './api/memory-internal-api.js';
import { composeMemoryParts, type MemoryParts } from './memory.service.js';
import { MEMORY_MIGRATIONS, MEMORY_SCHEMA } from './migrations/memory.migrations.js';
import { MEMORY_STREAM_PREFIXES } from './projection/memory-rebuild.js';
import { MEMORY_READ_MODEL_EVENT_TYPES } from './projection/memory.projection.js';
import { MEMORY_RUN_EVENT_TYPES } from './runs/run-tracker.js';

jest.setTimeout(120_000);

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined && done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const testCase = (id: string, answer: string, facts?: { subject: string; predicate: string; object: string }[]) =>
  ({
    id,
    question: `What about ${id}?`,
    answer,
    contexts: [answer],
    groundTruth: null,
    metadataJson: JSON.stringify({ domain: 'geography', ...(facts ? { facts } : {}) }),
  }) satisfies TestCase;

/** A run's events as the runs service emits them: requested, its cases scored, completed. */
function runEvents(tenantId: string, cases: TestCase[], faithfulness: number[]): EvalVaultEvent[] {
  const requested = sampleRunRequested();
  const runId = requested.payload.runId;
  const envelope = { tenantId, projectId: 'default', streamId: `run-${runId}` };
  const run = {
    ...requested,
    ...envelope,
    payload: {
      ...requested.payload,
      dataset: { id: 'inline-geo', name: 'geo', version: null, contentHash: 'd'.repeat(64) },
      metrics: ['faithfulness_lexical'],
      inlineCases: cases,
      gateRules: [],
    },
  };
  const scored = cases.map((c, index) => ({
    caseId: c.id,
    caseIndex: index,
    scores: [{ metric: 'faithfulness_lexical', score: faithfulness[index]!, explanation: '' }],
    durationMs: 1,
    usage: null,
  }));
  const mean = faithfulness.reduce((a, b) => a + b, 0) / faithfulness.length;
  const completed = testEvent(
    'RunCompleted',
    {
      runId,
      totalCases: cases.length,
      evaluatedCases: cases.length,
      failedCases: 0,
      aggregates: [
        { metric: 'faithfulness_lexical', count: cases.length, mean, min: 0, max: 1, p10: mean, p50: mean, p90: mean },
      ],
      durationMs: 10,
      usage: null,
    },
    envelope,
  );
  return [run, testEvent('CaseEvaluated', caseEvaluatedPayload(runId, scored), envelope), completed];
}

/**
 * Two tenants, each with a project named `default`, run evaluations; the runs' events reach
 * memory through the real Kafka broker, memory's own events go store → relay → Kafka → its read
 * model. Neither tenant's search, export or deletion ever touches the other's memory.
 */
describe('memory formed in two tenants over Kafka', () => {
  const logger = pino({ level: 'silent' });
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let dataSource: DataSource;
  let relay: EventRelay;
  let server: KafkaEventServer;
  let client: KafkaEventClient;
  let parts: MemoryParts;
  let api: OperationHandlers<MemoryOperations>;
  let projected = 0;

  beforeAll(async () => {
    await migrateEventStore(testDatabaseUrl());
    await migrateContentStore(testDatabaseUrl());
    await runMigrations(testDatabaseUrl(), MEMORY_SCHEMA, MEMORY_MIGRATIONS);
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 6 });
    store = new PostgresEventStore(pool, new EventCodec());
    dataSource = await new DataSource({ type: 'postgres', url: testDatabaseUrl(), logging: false }).initialize();
    parts = composeMemoryParts({ pool, dataSource, store, logger, registry: new Registry() });
    api = memoryOperationHandlers(parts.commands, parts.queries, randomUUID);

    const kafka = createKafka(testKafkaSettings('memory-tenants-test'));
    const metrics = busMetrics(new Registry());
    client = new KafkaEventClient(kafka, metrics);
    server = new KafkaEventServer({
      kafka,
      groupId: `memory-test-${randomUUID()}`,
      logger,
      metrics,
      fromBeginning: false,
      policy: { maxAttempts: 20, initialBackoffMs: 20, maxBackoffMs: 200 },
    });
    for (const type of MEMORY_RUN_EVENT_TYPES)
      server.addHandler(
        type,
        async (event: unknown) => void (await parts.tracker.apply(event as EvalVaultEvent)),
        true,
      );
    server.addHandler(
      'RunCompleted',
      async (event: unknown) => void (await parts.formation.formRun(event as RunCompleted)),
      true,
    );
    for (const type of MEMORY_READ_MODEL_EVENT_TYPES)
      server.addHandler(
        type,
        async (event: unknown) => {
          await parts.projection.apply(event as EvalVaultEvent);
          projected += 1;
        },
        true,
      );
    await new Promise<void>((resolve, reject) =>
      server.listen((error?: unknown) => (error ? reject(error) : resolve())),
    );
    await server.ready;
    relay = new EventRelay(store, client, new PostgresCheckpointStore(pool), {
      name: `memory-test-${randomUUID()}`,
      filter: { streamPrefixes: [...MEMORY_STREAM_PREFIXES] },
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

  it('keeps each tenant’s memory to itself: formation, search, export, ids and deletion', async () => {
    const tenantA = `tenant-a-${randomUUID()}`;
    const tenantB = `tenant-b-${randomUUID()}`;
    const who = (tenantId: string): InternalIdentity => ({
      tenantId,
      projectId: 'default',
      roles: ['admin'],
      actor: { subject: `admin@${tenantId}`, authMethod: 'oidc', apiKeyId: null },
    });
    const [a, b] = [who(tenantA), who(tenantB)];
    const paris = { subject: 'Paris', predicate: 'is the capital of', object: 'France' };

    const runA = runEvents(
      tenantA,
      [
        testCase('paris', 'Paris is the capital of France.', [paris]),
        testCase('nile', 'The Nile is the longest river in Africa.'),
        testCase('unfaithful', 'Atlantis is a real city.'),
      ],
      [0.9, 0.95, 0.2],
    );
    const runB = runEvents(
      tenantB,
      [
        testCase('paris', 'Paris is the capital of France.', [paris]),
        testCase('zeta', 'Zeta station is a secret base.', [
          { subject: 'Zeta station', predicate: 'is', object: 'a secret base' },
        ]),
      ],
      [0.8, 0.85],
    );
    const runIdA = (runA[0] as RunRequested).payload.runId;
    await client.publishBatch([...runA, ...runB]);

    const subjects = async (identity: InternalIdentity, q?: string) =>
      (await api.searchFacts(q ? { q } : {}, identity)).items.map((fact) => fact.subject).sort();
    await eventually(
      () => subjects(a),
      (s) => s.length === 2,
      "tenant A's facts",
    );
    await eventually(
      () => subjects(b),
      (s) => s.length === 2,
      "tenant B's facts",
    );
    expect(await subjects(a)).toEqual(['Paris', 'The Nile']);
    expect(await subjects(b)).toEqual(['Paris', 'Zeta station']);

    // Search: the same words find each tenant's own facts only.
    expect(await subjects(a, 'zeta secret base')).toEqual([]);
    expect(await subjects(b, 'Nile river')).toEqual([]);
    const parisA = (await api.searchFacts({ q: 'capital France' }, a)).items;
    const parisB = (await api.searchFacts({ q: 'capital France' }, b)).items;
    expect(parisA).toHaveLength(1);
    expect(parisB).toHaveLength(1);
    expect(parisA[0]!.factId).not.toBe(parisB[0]!.factId); // the same triple, one fact per tenant
    expect(parisA[0]).toMatchObject({
      status: 'proposed',
      kind: 'inferred',
      domain: 'geography',
      verificationCount: 0,
    });
    expect(parisA[0]!.sources).toEqual(expect.arrayContaining([{ kind: 'run', id: runIdA, runId: null }]));

    // Another tenant's id is not found (and flagged foreign for the audit), never shown.
    const foreign = await api.getFact({ factId: parisB[0]!.factId }, a).catch((error: unknown) => error);
    expect(foreign).toBeInstanceOf(ServiceClientError);
    expect((foreign as ServiceClientError).status).toBe(404);
    await expect(api.verifyFact({ factId: parisB[0]!.factId }, a)).rejects.toMatchObject({ status: 404 });

    // Export: each tenant's triples only.
    const exportA = JSON.stringify(await api.exportMemory({}, a));
    const exportB = JSON.stringify(await api.exportMemory({}, b));
    expect(exportA).toContain('Nile');
    expect(exportA).not.toContain('Zeta');
    expect(exportB).toContain('Zeta');
    expect(exportB).not.toContain('Nile');

    // Learnings and insights were formed per tenant (from RunCompleted, which may be projected after the facts).
    const learningsA = await eventually(
      () => api.listLearnings({}, a),
      (l) => l.items.length > 0,
      "tenant A's learnings",
    );
    expect(learningsA.items.map((l) => [l.datasetKey, l.metric])).toEqual([['inline:geo', 'faithfulness_lexical']]);
    const insights = await api.runInsights({ runId: runIdA }, a);
    expect(insights.trends[0]).toMatchObject({ metric: 'faithfulness_lexical', direction: 'no baseline' });
    await expect(api.runInsights({ runId: runIdA }, b)).rejects.toMatchObject({
      status: 404,
    });

    // Deletion in A: A's Paris is gone for good; B's Paris, with the same text, is untouched.
    const deletion = await api.requestDeletion({ target: 'subject', value: 'paris' }, a);
    expect(deletion.forgotten).toBeGreaterThanOrEqual(1);
    expect(await subjects(a)).toEqual(['The Nile']);
    expect(await subjects(b)).toEqual(['Paris', 'Zeta station']);
    expect(await parts.keys.key(tenantA, parisA[0]!.factId, false)).toEqual({ state: 'destroyed' });
    expect((await parts.keys.key(tenantB, parisB[0]!.factId, false)).state).toBe('present');
    const stillB: FactView = await api.getFact({ factId: parisB[0]!.factId }, b);
    expect(stillB.object).toBe('France');

    // A redelivered run forms nothing twice.
    const before = (await api.getFact({ factId: parisB[0]!.factId }, b)).sources.length;
    await client.publishBatch(runB);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await api.getFact({ factId: parisB[0]!.factId }, b)).sources.length).toBe(before);
    expect(await subjects(b)).toEqual(['Paris', 'Zeta station']);

    // Memory's own events went store → relay → Kafka → read model too (duplicates of the direct apply: no-ops).
    await eventually(
      async () => projected,
      (n) => n > 0,
      'memory events through Kafka',
    );
  });
});
