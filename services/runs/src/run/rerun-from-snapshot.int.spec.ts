import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import {
  EventCodec,
  evaluatedCases,
  type CaseBatchScheduled,
  type EvalVaultEvent,
  type JudgeSnapshot,
  type RunRequested,
} from '@evalvault/contracts';
import { migrateEventStore, PostgresEventStore, type CommandContext } from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import { NoRegisteredDatasets } from '../planning/dataset-content.port.js';
import { RunPlanner } from '../planning/run-planner.js';
import { CaseScorer } from '../work/case-scorer.js';
import { CaseWorker } from '../work/case-worker.js';
import { RunCompleter } from '../work/run-completer.js';
import { noBaselines } from '../work/testing/no-baselines.js';
import { RunCommands } from './run.commands.js';
import { batchStreamId, runRepository, runStreamId } from './run.repository.js';

const DETERMINISTIC = [
  'exact_match',
  'token_f1',
  'rouge_l',
  'bleu',
  'context_recall',
  'context_precision',
  'faithfulness_lexical',
  'semantic_similarity',
];

/**
 * A historical run rerun from its snapshot (the RunRequested in the store: `retry --all`) scores
 * every case exactly as it did, under the same configHash: planner and workers on the real store.
 */
describe('rerunning a run from its snapshot', () => {
  const logger = pino({ level: 'silent' });
  const sources = { now: Date.now, newId: randomUUID };
  let pool: pg.Pool;
  let store: PostgresEventStore;

  beforeAll(async () => {
    await migrateEventStore(testDatabaseUrl());
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 4 });
    store = new PostgresEventStore(pool, new EventCodec());
  });
  afterAll(async () => {
    await store.close();
    await pool.end();
  });

  const context = (): CommandContext => ({
    tenantId: `tenant-${randomUUID()}`,
    projectId: 'default',
    actor: { subject: 'ci', authMethod: 'api_key', apiKeyId: null },
    correlationId: randomUUID(),
    causationId: null,
  });

  /** Plans the run and works its batches (batch 0, 1, … until one is missing), then its events. */
  async function run(runId: string, workerJudge?: JudgeSnapshot | null): Promise<EvalVaultEvent[]> {
    const runs = runRepository(store, sources);
    const planner = new RunPlanner(
      runs,
      store,
      sources,
      new NoRegisteredDatasets(),
      { judged: 2, deterministic: 2 },
      logger,
    );
    const scorer = new CaseScorer(() => null, Date.now);
    const worker = new CaseWorker(runs, scorer, new RunCompleter(runs, noBaselines, Date.now), 2, logger, workerJudge);
    await planner.plan((await store.readStream(runStreamId(runId)))[0]!.event as RunRequested);
    for (let batchNo = 0; ; batchNo++) {
      const [batch] = await store.readStream(batchStreamId(runId, batchNo), { maxCount: 1 });
      if (!batch) break;
      await worker.work(batch.event as CaseBatchScheduled);
    }
    return (await store.readStream(runStreamId(runId))).map((recorded) => recorded.event);
  }

  /** Every case's scores by case index, explanations included, and the run's aggregates. */
  function scoresOf(events: EvalVaultEvent[]) {
    const cases = events
      .flatMap((event) => (event.type === 'CaseEvaluated' ? evaluatedCases(event.payload) : []))
      .map(({ caseIndex, caseId, scores }) => ({ caseIndex, caseId, scores }))
      .sort((a, b) => a.caseIndex - b.caseIndex);
    const completed = events.find((event) => event.type === 'RunCompleted');
    return { cases, aggregates: completed?.type === 'RunCompleted' ? completed.payload.aggregates : null };
  }

  const judge = { provider: 'openai', model: 'gpt-4o-mini', parametersJson: '{"baseUrl":null,"temperature":0}' };

  it('reproduces every deterministic score exactly under the same configHash', async () => {
    const commands = new RunCommands(runRepository(store, sources), randomUUID, judge);
    const ctx = context();
    const cases = Array.from({ length: 7 }, (_, n) => ({
      id: `c${n}`,
      question: `What does step ${n} of the pipeline do?`,
      answer: `Step ${n} ${n % 2 ? 'validates the retrieved passages' : 'retrieves passages and ranks them'}.`,
      contexts: [`Step ${n} retrieves passages and ranks them by relevance.`, `Later steps validate them.`],
      ground_truth: `Step ${n} retrieves passages and ranks them.`,
    }));
    const original = await commands.submitRun(
      {
        dataset: { name: 'pipeline-steps', cases },
        metrics: DETERMINISTIC,
        gate: {
          rules: ['mean(token_f1) >= baseline - 0.05', 'pass_rate(rouge_l, 0.5) >= 0.2'],
          missingBaseline: 'pass',
        },
      },
      ctx,
    );
    const first = await run(original.runId);
    expect(first.at(-2)?.type).toBe('RunCompleted');

    const rerun = await commands.retryRun(original.runId, 'all', ctx);
    const second = await run(rerun.runId);

    expect(rerun.configHash).toBe(original.configHash);
    const [before, after] = [first[0], second[0]] as RunRequested[];
    const { runId: _a, retryOf: _b, configHash: _c, ...snapshot } = before!.payload;
    expect(after!.payload).toMatchObject({ ...snapshot, retryOf: original.runId, judge: null });
    expect(scoresOf(second)).toEqual(scoresOf(first));
    expect(scoresOf(first).cases).toHaveLength(7);
    expect(scoresOf(first).cases[0]!.scores.map((s) => s.metric)).toEqual(DETERMINISTIC);
  });

  it('fails a run rather than score it with another judge than the one it pinned', async () => {
    const commands = new RunCommands(runRepository(store, sources), randomUUID, judge);
    const cases = [{ id: 'c', question: 'Q?', answer: 'A.', contexts: ['A.'], ground_truth: 'A.' }];
    const { runId } = await commands.submitRun(
      { dataset: { name: 'judged', cases }, metrics: ['faithfulness'] },
      context(),
    );
    const events = await run(runId, { ...judge, model: 'gpt-4o' });
    expect(events.map((event) => event.type)).toEqual(['RunRequested', 'RunStarted', 'RunFailed']);
    expect(events.at(-1)).toMatchObject({
      payload: { reason: 'judge_changed', message: expect.stringContaining('pinned judge openai:gpt-4o-mini') },
    });
  });
});
