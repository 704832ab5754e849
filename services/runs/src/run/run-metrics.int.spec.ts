import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import pg from 'pg';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { EventCodec, type RunRequested } from '@evalvault/contracts';
import { FakeLlmServer } from '@evalvault/llm/testing';
import { llmMigrations } from '@evalvault/llm';
import {
  migrateEventStore,
  PostgresEventStore,
  runMigrations,
  secretResolver,
  type CommandContext,
} from '@evalvault/platform';
import { registryValue, testDatabaseUrl } from '@evalvault/platform/testing';
import { loadConfig } from '../config.js';
import { DirectoryDatasetSource } from '../planning/directory-dataset-source.js';
import { RunPlanner } from '../planning/run-planner.js';
import { scheduledBatches } from '../planning/testing/scheduled-batches.js';
import { CaseScorer } from '../work/case-scorer.js';
import { CaseWorker } from '../work/case-worker.js';
import { judgeFactory } from '../work/judge-factory.js';
import { RunCompleter } from '../work/run-completer.js';
import { noBaselines } from '../work/testing/no-baselines.js';
import { judgeSnapshotOf } from './judge-snapshot.js';
import { RunCommands } from './run.commands.js';
import { runMetrics } from './run-metrics.js';
import { runRepository, runStreamId } from './run.repository.js';

/** Real runs on the real store, then the registry the runs service exports on /metrics. */
describe('run metrics', () => {
  const logger = pino({ level: 'silent' });
  const sources = { now: Date.now, newId: randomUUID };
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let llm: FakeLlmServer;

  beforeAll(async () => {
    await migrateEventStore(testDatabaseUrl());
    await runMigrations(testDatabaseUrl(), 'runs', llmMigrations('runs'));
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 6 });
    store = new PostgresEventStore(pool, new EventCodec());
    llm = await FakeLlmServer.start({
      apiKeys: ['metrics-key'],
      script: () => ({ text: JSON.stringify({ claims: [] }), promptTokens: 50_000, completionTokens: 10_000 }),
    });
  });
  afterAll(async () => {
    await llm.close();
    await store.close();
    await pool.end();
  });

  const context = (): CommandContext => ({
    tenantId: `tenant-${randomUUID()}`,
    projectId: `project-${randomUUID()}`,
    actor: { subject: 'ci', authMethod: 'api_key', apiKeyId: null },
    correlationId: randomUUID(),
    causationId: null,
  });

  const cases = (count: number) =>
    Array.from({ length: count }, (_, n) => ({
      id: `c${n}`,
      question: `Q${n}?`,
      answer: `answer ${n}`,
      contexts: [`answer ${n}`],
      ground_truth: n === 0 ? 'something else entirely' : `answer ${n}`,
    }));

  /** Submits, plans and works one run through a repository and judges that report to `registry`. */
  async function runThrough(registry: Registry, env: Record<string, string>, submission: object): Promise<void> {
    const config = loadConfig({ DATABASE_URL: testDatabaseUrl(), ...env });
    const runs = runRepository(store, sources, runMetrics(registry));
    const judges = judgeFactory(config.judge, pool, secretResolver({ METRICS_KEY: 'metrics-key' }), { registry });
    const worker = new CaseWorker(
      runs,
      new CaseScorer(judges, Date.now),
      new RunCompleter(runs, noBaselines, Date.now),
      2,
      logger,
    );
    const commands = new RunCommands(runs, randomUUID, judgeSnapshotOf(config.judge));
    const { runId } = await commands.submitRun(submission as Parameters<RunCommands['submitRun']>[0], context());
    const planner = new RunPlanner(
      runs,
      store,
      sources,
      new DirectoryDatasetSource(tmpdir()),
      { judged: 6, deterministic: 6 },
      logger,
    );
    await planner.plan((await store.readStream(runStreamId(runId)))[0]!.event as RunRequested);
    for (const batch of await scheduledBatches(store, runId)) await worker.work(batch);
  }

  it('counts a run, its cases and its verdict, and times submission to verdict for a small run', async () => {
    const registry = new Registry();
    await runThrough(
      registry,
      {},
      {
        dataset: { name: 'metrics', cases: cases(4) },
        metrics: ['token_f1'],
        gate: { rules: ['mean(token_f1) >= 0.9'] },
      },
    );
    const value = (name: string, labels: Record<string, string> = {}) => registryValue(registry, name, labels);
    expect(await value('eval_runs_requested_total')).toBe(1);
    expect(await value('eval_cases_total', { outcome: 'evaluated' })).toBe(4);
    expect(await value('eval_runs_total', { outcome: 'completed' })).toBe(1);
    expect(await value('eval_gate_verdicts_total', { verdict: 'failed' })).toBe(1);
    expect(await value('eval_gate_verdicts_total', { verdict: 'passed' })).toBeUndefined();
    expect(await value('eval_time_to_verdict_seconds_count', { size: 'lt_1000' })).toBe(1);
    expect(await value('eval_time_to_verdict_seconds_count', { size: 'ge_1000' })).toBeUndefined();
  });

  it('counts a run stopped on budget by its reason, and the tokens and dollars its judge calls billed', async () => {
    const registry = new Registry();
    const model = `judge-${randomUUID()}`;
    await runThrough(
      registry,
      {
        EVALVAULT_JUDGE_PROVIDER: 'openai',
        EVALVAULT_JUDGE_BASE_URL: llm.url,
        EVALVAULT_JUDGE_MODEL: model,
        EVALVAULT_JUDGE_API_KEY_REF: 'env:METRICS_KEY',
        EVALVAULT_PROJECT_BUDGET_USD: '1',
        EVALVAULT_JUDGE_PRICE_INPUT_PER_MTOK: '10',
        EVALVAULT_JUDGE_PRICE_OUTPUT_PER_MTOK: '30',
      },
      { dataset: { name: 'budget', cases: cases(6) }, metrics: ['faithfulness'], gate: { rules: [] } },
    );
    const value = (name: string, labels: Record<string, string> = {}) => registryValue(registry, name, labels);
    expect(await value('eval_runs_total', { outcome: 'failed', reason: 'budget' })).toBe(1);
    expect(await value('eval_runs_total', { outcome: 'completed' })).toBeUndefined();
    const labels = { provider: 'openai', model };
    const prompt = (await value('llm_tokens_total', { ...labels, kind: 'prompt' })) ?? 0;
    const completion = (await value('llm_tokens_total', { ...labels, kind: 'completion' })) ?? 0;
    const calls = prompt / 50_000;
    expect(calls).toBeGreaterThanOrEqual(2); // the second call is what spends past $1
    expect(completion).toBe(calls * 10_000);
    expect(await value('llm_cost_usd_total', labels)).toBeCloseTo(calls * 0.8, 6);
    expect(await value('llm_requests_total', { ...labels, outcome: 'ok' })).toBe(calls);
  });
});
