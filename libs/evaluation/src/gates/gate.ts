import type { GateRuleResult, MetricAggregate } from '@evalvault/contracts';
import { aggregateMetrics, type ScoresByMetric } from './aggregates.js';
import { compare, passRate, roundForComparison } from './comparison.js';
import type { GateRule } from './gate-rule.js';

/** What a gate reads from a run: its aggregates, and its case scores for pass_rate rules. */
export interface RunMetrics {
  aggregates: readonly MetricAggregate[];
  /** Optional for a baseline run: without them its pass_rate values count as missing. */
  scores?: ScoresByMetric;
}

export interface BaselineRun extends RunMetrics {
  runId: string;
}

export interface GateVerdict {
  /** True when every rule passed (so a gate without rules passes). */
  passed: boolean;
  /** One result per rule, in rule order; contract-shaped, ready for GatePassed / GateFailed. */
  rules: GateRuleResult[];
  /** The baseline run compared against; null when none was given or no rule refers to `baseline`. */
  baselineRunId: string | null;
  /**
   * Indexes (into rules) of baseline rules with no baseline value: there is no baseline run yet
   * (first run on this dataset), or it has no value for that metric. Such a rule passes unless its
   * own metric has no scores, and its reported threshold is the bare offset (0 for `baseline`).
   */
  baselineMissing: number[];
}

/** The value of the rule's aggregate in a run, or null when the metric has no scores there. */
function valueIn(run: RunMetrics, rule: GateRule): number | null {
  switch (rule.aggregate) {
    case 'pass_rate': {
      if (rule.passThreshold === undefined) throw new Error(`pass_rate rule without a pass threshold: ${rule.source}`);
      return passRate(run.scores?.get(rule.metric) ?? [], rule.passThreshold) ?? null;
    }
    case 'mean':
    case 'min':
    case 'max':
    case 'p10':
    case 'p50':
    case 'p90':
      return run.aggregates.find((aggregate) => aggregate.metric === rule.metric)?.[rule.aggregate] ?? null;
    default: {
      const unexpected: never = rule.aggregate;
      throw new Error(`unknown aggregate ${String(unexpected)}`);
    }
  }
}

function resolveThreshold(
  rule: GateRule,
  baseline: BaselineRun | null,
): { threshold: number; baselineMissing: boolean } {
  switch (rule.threshold.kind) {
    case 'number':
      return { threshold: rule.threshold.value, baselineMissing: false };
    case 'baseline': {
      const baselineValue = baseline === null ? null : valueIn(baseline, rule);
      if (baselineValue === null) return { threshold: rule.threshold.offset, baselineMissing: true };
      return { threshold: baselineValue + rule.threshold.offset, baselineMissing: false };
    }
    default: {
      const unexpected: never = rule.threshold;
      throw new Error(`unknown threshold ${JSON.stringify(unexpected)}`);
    }
  }
}

function judgeRule(rule: GateRule, current: RunMetrics, baseline: BaselineRun | null) {
  const value = valueIn(current, rule);
  const actual = value === null ? null : roundForComparison(value);
  const resolved = resolveThreshold(rule, baseline);
  const threshold = roundForComparison(resolved.threshold);
  // No scores always fails; a missing baseline is not held against the run.
  const passed = actual !== null && (resolved.baselineMissing || compare(actual, rule.comparator, threshold));
  const result: GateRuleResult = {
    rule: rule.source,
    metric: rule.metric,
    aggregate: rule.aggregate,
    comparator: rule.comparator,
    threshold,
    actual,
    passed,
  };
  return { result, baselineMissing: resolved.baselineMissing };
}

/**
 * Judges every rule against the run's case scores (and the baseline run for `baseline` rules).
 * Reported actual and threshold are the values compared, rounded to 1e-9 (see roundForComparison).
 */
export function evaluateGate(
  rules: readonly GateRule[],
  scores: ScoresByMetric,
  baseline: BaselineRun | null = null,
): GateVerdict {
  const current: RunMetrics = { aggregates: aggregateMetrics(scores), scores };
  const judged = rules.map((rule) => judgeRule(rule, current, baseline));
  const usesBaseline = rules.some((rule) => rule.threshold.kind === 'baseline');
  return {
    passed: judged.every(({ result }) => result.passed),
    rules: judged.map(({ result }) => result),
    baselineRunId: usesBaseline ? (baseline?.runId ?? null) : null,
    baselineMissing: judged.flatMap(({ baselineMissing }, index) => (baselineMissing ? [index] : [])),
  };
}
