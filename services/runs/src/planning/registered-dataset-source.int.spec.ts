import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { EventCodec, evaluatedCases, type EvalVaultEvent, type RunRequested } from '@evalvault/contracts';
import { llmMigrations } from '@evalvault/llm';
import {
  migrateContentStore,
  migrateEventStore,
  PostgresContentStore,
  PostgresEventStore,
  runMigrations,
  secretResolver,
  type CommandContext,
} from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import { loadConfig } from '../config.js';
import { RunCommands } from '../run/run.commands.js';
import { runRepository, runStreamId } from '../run/run.repository.js';
import { scheduledBatches } from './testing/scheduled-batches.js';
import { CaseScorer } from '../work/case-scorer.js';
import { CaseWorker } from '../work/case-worker.js';
import { judgeFactory } from '../work/judge-factory.js';
import { RunCompleter } from '../work/run-completer.js';
import { noBaselines } from '../work/testing/no-baselines.js';
import { NoRegisteredDatasets } from './dataset-content.port.js';
import { RegisteredDatasetSource } from './registered-dataset-source.js';
import { RunPlanner } from './run-planner.js';

/**
 * A run of a registered dataset version: the registry has stored the version's canonical JSONL in
 * the content store, the run pins its hash, and the planner streams the cases from there.
 */
describe('runs of registered dataset versions', () => {
  const logger = pino({ level: 'silent' });
  const sources = { now: Date.now, newId: randomUUID };
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let content: PostgresContentStore;

  beforeAll(async () => {
    await migrateEventStore(testDatabaseUrl());
    await migrateContentStore(testDatabaseUrl());
    await runMigrations(testDatabaseUrl(), 'runs', llmMigrations('runs'));
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 6 });
    store = new PostgresEventStore(pool, new EventCodec());
    content = new PostgresContentStore(pool, { chunkSize: 1024 });
  });
  afterAll(async () => {
    await store.close();
    await pool.end();
  });

  const context = (): CommandContext => ({
    tenantId: `tenant-${randomUUID()}`,
    projectId: 'search',
    actor: { subject: 'ci', authMethod: 'api_key', apiKeyId: null },
    correlationId: randomUUID(),
    causationId: null,
  });

  function pipeline() {
    const config = loadConfig({ DATABASE_URL: testDatabaseUrl() });
    const runs = runRepository(store, sources);
    const scorer = new CaseScorer(judgeFactory(config.judge, pool, secretResolver({})), Date.now);
    const worker = new CaseWorker(runs, scorer, new RunCompleter(runs, noBaselines, Date.now), 2, logger);
    const planner = new RunPlanner(
      runs,
      store,
      sources,
      new RegisteredDatasetSource(content, new NoRegisteredDatasets()),
      { judged: 4, deterministic: 4 },
      logger,
    );
    return { planner, worker, commands: new RunCommands(runs, randomUUID) };
  }

  async function planAndWork(runId: string, planner: RunPlanner, worker: CaseWorker): Promise<EvalVaultEvent[]> {
    const requested = (await store.readStream(runStreamId(runId)))[0]!.event as RunRequested;
    await planner.plan(requested);
    for (const batch of await scheduledBatches(store, runId)) await worker.work(batch);
    return (await store.readStream(runStreamId(runId))).map((r) => r.event);
  }

  it('streams the pinned version’s cases from the content store and completes', async () => {
    // As the registry stores a version: canonical JSONL, one case per line (about 10 chunks here).
    const lines = Array.from({ length: 10 }, (_, n) =>
      JSON.stringify({
        answer: n % 3 === 0 ? 'wrong' : `answer ${n}`,
        contexts: [`answer ${n}`],
        ground_truth: `answer ${n}`,
        id: `c${n}`,
        question: `Q${n}? ${'padding '.repeat(100)}`,
      }),
    );
    const stored = await content.put(`${lines.join('\n')}\n`);
    const { planner, worker, commands } = pipeline();
    const datasetId = randomUUID();
    const { runId } = await commands.submitRun(
      {
        dataset: { id: datasetId, version: 2, contentHash: stored.hash },
        metrics: ['exact_match'],
        gate: { rules: ['mean(exact_match) >= 0.6'] },
      },
      context(),
    );
    const events = await planAndWork(runId, planner, worker);

    expect(events[0]).toMatchObject({
      type: 'RunRequested',
      payload: { dataset: { id: datasetId, version: 2, contentHash: stored.hash } },
    });
    expect(events.find((e) => e.type === 'RunStarted')).toMatchObject({ payload: { totalCases: 10 } });
    const scored = events.flatMap((e) => (e.type === 'CaseEvaluated' ? evaluatedCases(e.payload) : []));
    expect(scored.map((c) => c.caseId).sort()).toEqual(lines.map((_, n) => `c${n}`).sort());
    expect(
      scored
        .filter((c) => c.scores[0]!.score === 0)
        .map((c) => c.caseId)
        .sort(),
    ).toEqual(['c0', 'c3', 'c6', 'c9']);
    expect(events.find((e) => e.type === 'RunCompleted')).toMatchObject({
      payload: {
        totalCases: 10,
        evaluatedCases: 10,
        failedCases: 0,
        aggregates: [expect.objectContaining({ metric: 'exact_match', mean: 0.6 })],
      },
    });
    expect(events.at(-1)!.type).toBe('GatePassed');
  });

  it('fails the run, saying why, when the pinned content is not stored', async () => {
    const { planner, worker, commands } = pipeline();
    const missing = createHash('sha256').update(`never stored ${randomUUID()}`).digest('hex');
    const { runId } = await commands.submitRun(
      { dataset: { id: 'ds-gone', version: 1, contentHash: missing }, metrics: ['exact_match'], gate: { rules: [] } },
      context(),
    );
    const events = await planAndWork(runId, planner, worker);
    expect(events.at(-1)).toMatchObject({
      type: 'RunFailed',
      payload: {
        reason: 'dataset_unreadable',
        message: `dataset ds-gone v1: its content ${missing} is not in the content store`,
      },
    });
  });

  it('reads a reference without a hash from the unpinned source', async () => {
    const { planner, worker, commands } = pipeline();
    const { runId } = await commands.submitRun(
      { dataset: { id: 'ds-unpinned', version: 1 }, metrics: ['exact_match'], gate: { rules: [] } },
      context(),
    );
    const events = await planAndWork(runId, planner, worker);
    expect(events.at(-1)).toMatchObject({
      type: 'RunFailed',
      payload: { reason: 'dataset_unreadable', message: expect.stringContaining('the run names no content hash') },
    });
  });
});
