import type { CaseFailedPayload, EvaluatedCase, LlmUsage, ScheduledCase } from '@evalvault/contracts';
import { MetricError, type EvaluationCase } from '@evalvault/evaluation';
import { LlmError, LlmErrorCode, UsageMeter, type LlmOwner, type SpendCaps } from '@evalvault/llm';
import { BUILT_IN_METRICS, type MetricCatalog } from '../plugins/metric-catalog.js';
import { PluginError } from '../plugins/plugin.errors.js';
import type { JudgeFactory } from './judge-factory.js';

/** The run a case belongs to, as scoring needs it: whose budget pays, under which caps, with which metrics. */
export interface ScoringRun {
  runId: string;
  owner: LlmOwner;
  metrics: readonly string[];
  /** The daily and monthly caps of the project's policy the run pinned; null: none. */
  caps: SpendCaps | null;
}

export type CaseOutcome =
  | { kind: 'evaluated'; payload: EvaluatedCase }
  | { kind: 'failed'; payload: CaseFailedPayload };

/** The project ran out of budget, or spent a cap: the run stops as a whole rather than failing case after case. */
export class BudgetExceededError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BudgetExceededError';
  }
}

function toEvaluationCase(scheduled: ScheduledCase): EvaluationCase {
  const { testCase } = scheduled;
  return {
    id: testCase.id,
    question: testCase.question,
    answer: testCase.answer,
    contexts: testCase.contexts,
    groundTruth: testCase.groundTruth,
    ...(testCase.metadataJson ? { metadata: JSON.parse(testCase.metadataJson) as Record<string, unknown> } : {}),
  };
}

/** What the case's judge calls cost, as an event carries it: null when it made none. */
function usageOf(meter: UsageMeter): LlmUsage | null {
  const { requests, promptTokens, completionTokens, costUsd, cacheHits } = meter.summary();
  return requests + cacheHits > 0 ? { requests, promptTokens, completionTokens, costUsd, cacheHits } : null;
}

/**
 * Scores one case with every metric of its run. A case that cannot be scored (missing
 * ground truth, an unusable judge answer, a provider down after retries) becomes a
 * failed case with the reason and what its calls cost until then; only an exhausted budget
 * or a spent cap stops the whole run.
 */
export class CaseScorer {
  constructor(
    private readonly judgeFor: JudgeFactory,
    private readonly now: () => number,
    /** Plugin metrics run in their worker threads: one that throws, hangs or leaks fails its case only. */
    private readonly catalog: MetricCatalog = BUILT_IN_METRICS,
  ) {}

  async score(run: ScoringRun, scheduled: ScheduledCase, signal?: AbortSignal): Promise<CaseOutcome> {
    const { runId, owner, metrics, caps } = run;
    const started = this.now();
    const meter = new UsageMeter();
    const judge =
      this.judgeFor(owner, meter, { ...(signal ? { signal } : {}), ...(caps ? { caps } : {}) }) ?? undefined;
    const testCase = toEvaluationCase(scheduled);
    try {
      const scores = [];
      for (const name of metrics) {
        const result = await this.catalog.byName(name).score(testCase, judge ? { judge } : {});
        scores.push({ metric: name, score: result.score, explanation: result.explanation });
      }
      return {
        kind: 'evaluated',
        payload: {
          caseId: testCase.id,
          caseIndex: scheduled.caseIndex,
          scores,
          durationMs: Math.max(0, this.now() - started),
          usage: usageOf(meter),
        },
      };
    } catch (error) {
      if (error instanceof LlmError && error.code === LlmErrorCode.BudgetExceeded)
        throw new BudgetExceededError(error.message);
      const coded = error instanceof MetricError || error instanceof LlmError || error instanceof PluginError;
      const code = coded ? String(error.code) : 'SCORING_FAILED';
      return {
        kind: 'failed',
        payload: {
          runId,
          caseId: testCase.id,
          caseIndex: scheduled.caseIndex,
          line: scheduled.line,
          errorCode: code,
          reason: (error as Error).message,
          // Every answer billed before the failure, the unusable one and retried attempts included.
          usage: usageOf(meter),
        },
      };
    }
  }
}
