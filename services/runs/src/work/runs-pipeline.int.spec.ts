import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { EventCodec, type EvalVaultEvent, type RunRequested } from '@evalvault/contracts';
import { FakeLlmServer } from '@evalvault/llm/testing';
import { llmMigrations } from '@evalvault/llm';
import {
  migrateEventStore,
  PostgresEventStore,
  runMigrations,
  secretResolver,
  type CommandContext,
} from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import { loadConfig } from '../config.js';
import { judgeSnapshotOf } from '../run/judge-snapshot.js';
import { RunCommands } from '../run/run.commands.js';
import { runRepository, runStreamId } from '../run/run.repository.js';
import { scheduledBatches } from '../planning/testing/scheduled-batches.js';
import { DirectoryDatasetSource } from '../planning/directory-dataset-source.js';
import { MAX_BATCH_BYTES, RunPlanner } from '../planning/run-planner.js';
import { CaseScorer } from './case-scorer.js';
import { CaseWorker } from './case-worker.js';
import { judgeFactory } from './judge-factory.js';
import { RunCompleter } from './run-completer.js';
import { noBaselines } from './testing/no-baselines.js';

/**
 * Planner and worker on the real store, driven by hand (the Kafka path has its own
 * end-to-end test): a registered dataset file with bad rows, and a budget that runs out.
 */
describe('runs pipeline', () => {
  const SCHEMA = 'runs';
  const logger = pino({ level: 'silent' });
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let llm: FakeLlmServer;
  const sources = { now: Date.now, newId: randomUUID };

  beforeAll(async () => {
    await migrateEventStore(testDatabaseUrl());
    await runMigrations(testDatabaseUrl(), SCHEMA, llmMigrations(SCHEMA));
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 6 });
    store = new PostgresEventStore(pool, new EventCodec());
    llm = await FakeLlmServer.start({
      apiKeys: ['pipeline-key'],
      script: () => ({ text: JSON.stringify({ claims: [] }), promptTokens: 50_000, completionTokens: 10_000 }),
    });
  });
  afterAll(async () => {
    await llm.close();
    await store.close();
    await pool.end();
  });

  function pipeline(env: Record<string, string>) {
    const config = loadConfig({ DATABASE_URL: testDatabaseUrl(), ...env });
    const runs = runRepository(store, sources);
    const scorer = new CaseScorer(
      judgeFactory(config.judge, pool, secretResolver({ PIPELINE_KEY: 'pipeline-key' })),
      Date.now,
    );
    const worker = new CaseWorker(runs, scorer, new RunCompleter(runs, noBaselines, Date.now), 2, logger);
    return { runs, worker, commands: new RunCommands(runs, randomUUID, judgeSnapshotOf(config.judge)) };
  }

  const context = (): CommandContext => ({
    tenantId: `tenant-${randomUUID()}`,
    projectId: `project-${randomUUID()}`,
    actor: { subject: 'ci', authMethod: 'api_key', apiKeyId: null },
    correlationId: randomUUID(),
    causationId: null,
  });

  async function planAndWork(runId: string, planner: RunPlanner, worker: CaseWorker): Promise<EvalVaultEvent[]> {
    const requested = (await store.readStream(runStreamId(runId)))[0]!.event as RunRequested;
    await planner.plan(requested);
    for (const batch of await scheduledBatches(store, runId)) await worker.work(batch);
    return (await store.readStream(runStreamId(runId))).map((r) => r.event);
  }

  it('streams a registered dataset file, records each bad row with its line, and completes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'datasets-'));
    const datasetId = `ds-${randomUUID()}`;
    mkdirSync(join(dir, datasetId));
    const good = (n: number): string =>
      JSON.stringify({
        id: `c${n}`,
        question: `Q${n}?`,
        answer: `answer ${n}`,
        contexts: [`answer ${n}`],
        ground_truth: `answer ${n}`,
      });
    writeFileSync(
      join(dir, datasetId, '3.jsonl'),
      [
        good(1),
        '{"question": "broken',
        good(2),
        JSON.stringify({ id: 'c3', question: 'Q3?', answer: 'a', contexts: 'not a list' }),
        good(4),
      ].join('\n'),
    );
    const { runs, worker, commands } = pipeline({});
    const { runId } = await commands.submitRun(
      { dataset: { id: datasetId, version: 3 }, metrics: ['token_f1'], gate: { rules: ['mean(token_f1) >= 0.9'] } },
      context(),
    );
    const planner = new RunPlanner(
      runs,
      store,
      sources,
      new DirectoryDatasetSource(dir),
      { judged: 2, deterministic: 2 },
      logger,
    );
    const events = await planAndWork(runId, planner, worker);

    const failed = events
      .filter((e) => e.type === 'CaseFailed')
      .map((e) => e.type === 'CaseFailed' && { line: e.payload.line, code: e.payload.errorCode });
    expect(failed).toEqual([
      { line: 2, code: 'INVALID_JSON' },
      { line: 4, code: 'INVALID_FIELD' },
    ]);
    expect(events.find((e) => e.type === 'RunCompleted')).toMatchObject({
      payload: { totalCases: 5, evaluatedCases: 3, failedCases: 2 },
    });
    expect(events.at(-1)!.type).toBe('GatePassed');
  });

  it('records rows a client rejected (--skip-invalid) as failed cases after the inline ones, with lines', async () => {
    const { runs, worker, commands } = pipeline({});
    const cases = [1, 3].map((n) => ({
      id: `c${n}`,
      question: `Q${n}?`,
      answer: `answer ${n}`,
      contexts: [`answer ${n}`],
      ground_truth: `answer ${n}`,
    }));
    const rejectedRows = [
      { line: 2, reason: 'line 2: invalid JSON', errorCode: 'INVALID_JSON' },
      { line: 4, reason: 'question is required' },
    ];
    const { runId } = await commands.submitRun(
      {
        dataset: { name: 'skipped', cases },
        metrics: ['token_f1'],
        gate: { rules: ['mean(token_f1) >= 0.9'] },
        rejectedRows,
      },
      context(),
    );
    const events = await planAndWork(
      runId,
      new RunPlanner(
        runs,
        store,
        sources,
        new DirectoryDatasetSource(tmpdir()),
        { judged: 2, deterministic: 2 },
        logger,
      ),
      worker,
    );

    const failed = events.flatMap((e) =>
      e.type === 'CaseFailed'
        ? [{ index: e.payload.caseIndex, line: e.payload.line, code: e.payload.errorCode, reason: e.payload.reason }]
        : [],
    );
    expect(failed).toEqual([
      { index: 2, line: 2, code: 'INVALID_JSON', reason: 'line 2: invalid JSON' },
      { index: 3, line: 4, code: 'INVALID_ROW', reason: 'line 4: question is required' },
    ]);
    expect(events.find((e) => e.type === 'RunCompleted')).toMatchObject({
      payload: { totalCases: 4, evaluatedCases: 2, failedCases: 2 },
    });
    expect(events.at(-1)!.type).toBe('GatePassed');
  });

  it('ends a work batch at MAX_BATCH_BYTES of cases, so large cases never make an oversized event', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'datasets-'));
    const datasetId = `ds-${randomUUID()}`;
    mkdirSync(join(dir, datasetId));
    const passage = 'long retrieved passage '.repeat(3_000); // ~69 KB a case
    const lines = Array.from({ length: 12 }, (_, n) =>
      JSON.stringify({ id: `c${n}`, question: 'Q?', answer: 'a', contexts: [passage], ground_truth: 'a' }),
    );
    writeFileSync(join(dir, datasetId, '1.jsonl'), lines.join('\n'));
    const { runs, worker, commands } = pipeline({});
    const { runId } = await commands.submitRun(
      { dataset: { id: datasetId, version: 1 }, metrics: ['token_f1'], gate: { rules: ['mean(token_f1) >= 0'] } },
      context(),
    );
    const planner = new RunPlanner(
      runs,
      store,
      sources,
      new DirectoryDatasetSource(dir),
      { judged: 200, deterministic: 200 },
      logger,
    );
    const events = await planAndWork(runId, planner, worker);

    const batches = await scheduledBatches(store, runId);
    const sizes = batches.map((batch) => batch.payload.cases.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(12);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(Math.ceil(MAX_BATCH_BYTES / passage.length));
    expect(batches.length).toBeGreaterThan(1);
    expect(events.find((e) => e.type === 'RunCompleted')).toMatchObject({ payload: { evaluatedCases: 12 } });
  });

  it('fails a run whose dataset cannot be read, saying why', async () => {
    const { runs, commands } = pipeline({});
    const { runId } = await commands.submitRun(
      { dataset: { id: 'ds-missing', version: 1 }, metrics: ['token_f1'], gate: { rules: ['mean(token_f1) >= 0'] } },
      context(),
    );
    const planner = new RunPlanner(
      runs,
      store,
      sources,
      new DirectoryDatasetSource(mkdtempSync(join(tmpdir(), 'empty-'))),
      { judged: 2, deterministic: 2 },
      logger,
    );
    await planner.plan((await store.readStream(runStreamId(runId)))[0]!.event as RunRequested);
    const last = (await store.readStream(runStreamId(runId))).at(-1)!.event;
    expect(last).toMatchObject({
      type: 'RunFailed',
      payload: {
        reason: 'dataset_unreadable',
        message: expect.stringContaining('ds-missing v1 is not in the dataset store'),
      },
    });
  });

  it('stops a run cleanly with RunFailed{reason: budget} when the project budget is spent', async () => {
    const { runs, worker, commands } = pipeline({
      EVALVAULT_JUDGE_PROVIDER: 'openai',
      EVALVAULT_JUDGE_BASE_URL: llm.url,
      EVALVAULT_JUDGE_MODEL: `judge-${randomUUID()}`,
      EVALVAULT_JUDGE_API_KEY_REF: 'env:PIPELINE_KEY',
      EVALVAULT_PROJECT_BUDGET_USD: '1',
      EVALVAULT_JUDGE_PRICE_INPUT_PER_MTOK: '10',
      EVALVAULT_JUDGE_PRICE_OUTPUT_PER_MTOK: '30',
    });
    // Each call costs 50k × $10/M + 10k × $30/M = $0.80: the second pushes spend past $1.
    const cases = Array.from({ length: 6 }, (_, n) => ({
      id: `c${n}`,
      question: `Q${n}?`,
      answer: `A${n} distinct`,
      contexts: ['ctx'],
      ground_truth: 'x',
    }));
    const { runId } = await commands.submitRun(
      { dataset: { name: 'budget', cases }, metrics: ['faithfulness'], gate: { rules: [] } },
      context(),
    );
    const planner = new RunPlanner(
      runs,
      store,
      sources,
      new DirectoryDatasetSource(tmpdir()),
      { judged: 6, deterministic: 6 },
      logger,
    );
    const events = await planAndWork(runId, planner, worker);
    expect(events.at(-1)).toMatchObject({
      type: 'RunFailed',
      payload: { reason: 'budget', message: expect.stringContaining('budget') },
    });
    expect(events.some((e) => e.type === 'RunCompleted')).toBe(false);
  });
});
