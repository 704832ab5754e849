import type {
  CaseBatchScheduled,
  CaseFailedPayload,
  EvaluatedCase,
  JudgeSnapshot,
  RunRequestedPayload,
} from '@evalvault/contracts';
import { contextCausedBy } from '@evalvault/platform';
import type { Logger } from 'pino';
import { allCasesAccounted, isTerminal } from '../run/run.decider.js';
import { runStreamId, type RunRepository } from '../run/run.repository.js';
import { BUILT_IN_METRICS, pluginsChanged, type MetricCatalog } from '../plugins/metric-catalog.js';
import { BudgetExceededError, type CaseOutcome, type CaseScorer, type ScoringRun } from './case-scorer.js';
import type { RunCompleter } from './run-completer.js';

/**
 * Scores one batch of a run's cases, a few at a time, skipping cases already recorded
 * (a redelivered batch scores nothing twice), stopping when the run is cancelled or
 * failed meanwhile; records the batch in one append and completes the run if it was the last.
 * A run whose pinned judge is not the one this worker judges with fails (`judge_changed`)
 * rather than be scored by another model than its configHash says; so does a run whose pinned plugins
 * are not the versions this worker loaded (`plugin_changed`).
 */
export class CaseWorker {
  /** judge: this worker's judge as runs pin it; undefined: not checked. */
  constructor(
    private readonly runs: RunRepository,
    private readonly scorer: CaseScorer,
    private readonly completer: RunCompleter,
    private readonly concurrency: number,
    private readonly logger: Logger,
    private readonly judge?: JudgeSnapshot | null,
    private readonly catalog: MetricCatalog = BUILT_IN_METRICS,
  ) {}

  async work(batch: CaseBatchScheduled): Promise<void> {
    const { runId } = batch.payload;
    const streamId = runStreamId(runId);
    const context = contextCausedBy(batch);
    const { state } = await this.runs.load(streamId);
    if (isTerminal(state)) return;
    if (state.status === 'none') {
      this.logger.warn({ runId, eventId: batch.eventId }, 'work for a run the store does not have; ignored');
      return;
    }
    if (state.status !== 'running') throw new Error(`run ${runId} has not started yet; the batch will be retried`);
    const changed = this.judgeChanged(state.request!.judge ?? null);
    const pluginChange = pluginsChanged(this.catalog, state.request!.plugins ?? null);
    if (changed || pluginChange) {
      const [reason, message] = changed ? ['judge_changed', changed] : ['plugin_changed', pluginChange!];
      this.logger.error({ runId }, message);
      await this.runs.handle(streamId, { type: 'FailRun', reason, message }, context);
      return;
    }

    const pending = batch.payload.cases.filter((scheduled) => !state.accounted.has(scheduled.caseIndex));
    const run = scoringRun(batch, state.request!);
    const stop = new AbortController();
    const ended = this.endedWatch(streamId);
    let outcomes: CaseOutcome[];
    try {
      outcomes = await mapWithConcurrency(pending, this.concurrency, async (scheduled) => {
        if (stop.signal.aborted || (await ended())) {
          stop.abort();
          return null;
        }
        try {
          return await this.scorer.score(run, scheduled, stop.signal);
        } catch (error) {
          stop.abort(); // the other lanes stop before their next case
          throw error;
        }
      });
    } catch (error) {
      if (!(error instanceof BudgetExceededError)) throw error;
      this.logger.warn({ runId, err: error }, 'budget or spending cap exceeded: failing the run');
      await this.runs.handle(streamId, { type: 'FailRun', reason: 'budget', message: error.message }, context);
      return;
    }
    const results = outcomes
      .filter((o): o is Extract<CaseOutcome, { kind: 'evaluated' }> => o.kind === 'evaluated')
      .map((o): EvaluatedCase => o.payload);
    const failures = outcomes
      .filter((o): o is Extract<CaseOutcome, { kind: 'failed' }> => o.kind === 'failed')
      .map((o): CaseFailedPayload => o.payload);
    const { state: after } = await this.runs.handle(
      streamId,
      { type: 'RecordCases', runId, results, failures },
      context,
    );
    this.logger.info(
      {
        runId,
        batchNo: batch.payload.batchNo,
        evaluated: results.length,
        failed: failures.length,
        skipped: batch.payload.cases.length - pending.length,
      },
      'batch scored',
    );
    if (allCasesAccounted(after)) await this.completer.complete(streamId, after, context);
  }

  /** Why this worker may not score a run that pinned this judge, or null. */
  private judgeChanged(pinned: JudgeSnapshot | null): string | null {
    if (pinned === null || this.judge === undefined) return null;
    const named = (judge: JudgeSnapshot | null): string =>
      judge ? `${judge.provider}:${judge.model} ${judge.parametersJson}` : 'no judge';
    if (named(pinned) === named(this.judge)) return null;
    const now = named(this.judge);
    return `the run pinned judge ${named(pinned)}; this worker judges with ${now}: rerun it to pin the judge`;
  }

  /**
   * Has the run been cancelled or failed meanwhile? Asked before every case, answered from the
   * store at most every CANCELLATION_CHECK_MS: a store read per case made each case cost more
   * the more the run had recorded, and a cancel need not stop a batch within the millisecond.
   */
  private endedWatch(streamId: string): () => Promise<boolean> {
    let checkedAt = Date.now();
    let ended = false;
    return async () => {
      if (ended || Date.now() - checkedAt < CANCELLATION_CHECK_MS) return ended;
      checkedAt = Date.now();
      ended = isTerminal((await this.runs.load(streamId)).state);
      return ended;
    };
  }
}

const CANCELLATION_CHECK_MS = 250;

/** The run as its cases are scored: its project pays, within the caps of the policy it pinned at submission. */
function scoringRun(batch: CaseBatchScheduled, request: RunRequestedPayload): ScoringRun {
  const { policy } = request;
  const caps = policy && { dailyUsd: policy.dailyCapUsd, monthlyUsd: policy.monthlyCapUsd };
  return {
    runId: request.runId,
    owner: { tenantId: batch.tenantId, projectId: batch.projectId },
    metrics: request.metrics,
    caps: caps && (caps.dailyUsd !== null || caps.monthlyUsd !== null) ? caps : null,
  };
}

/** Runs `work` over the items with at most `limit` at once; null results are dropped. */
async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R | null>,
): Promise<R[]> {
  const results: (R | null)[] = new Array(items.length).fill(null);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  });
  await Promise.all(lanes);
  return results.filter((result): result is R => result !== null);
}
