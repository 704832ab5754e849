import type { GateBaselineSource, GateRuleResult } from '@evalvault/contracts';
import { aggregateScores, type ScoresByMetric } from './aggregates.js';
import { compare, passRate, roundForComparison } from './comparison.js';
import type { GateRule } from './gate-rule.js';
import { learnedValue, type LearnedBaselines } from './learned-baseline.js';

/**
 * The run a gate's `baseline` rules compare against, with its case scores: every aggregate a rule
 * can name (mean, min, max, percentiles, pass_rate at any threshold) is computed from them exactly
 * as for the run being judged, so both sides of a rule are the same measure.
 */
export interface BaselineRun {
  runId: string;
  scores: ScoresByMetric;
}

/**
 * What `baseline` rules compare with: the project's last passing run on the dataset (its case
 * scores), or, for a run that uses memory, Domain Memory's learned baselines of the dataset.
 */
export type GateBaseline = BaselineRun | LearnedBaselines;

const isLearned = (baseline: GateBaseline): baseline is LearnedBaselines => 'learnings' in baseline;

/** How a baseline rule is judged when there is no baseline value: a policy of the run, `fail` by default. */
export const MISSING_BASELINE_POLICIES = ['fail', 'pass'] as const;
export type MissingBaselinePolicy = (typeof MISSING_BASELINE_POLICIES)[number];

export function isMissingBaselinePolicy(value: unknown): value is MissingBaselinePolicy {
  return (MISSING_BASELINE_POLICIES as readonly unknown[]).includes(value);
}

export interface GateOptions {
  /**
   * `fail` (default): a rule guarding against a regression cannot pass without something to
   * compare with. `pass`: it passes (its own metric must still have scores), e.g. to seed the
   * first baseline of a dataset. Either way the rule says `noBaseline`.
   */
  missingBaseline?: MissingBaselinePolicy;
}

export interface GateVerdict {
  /** True when every rule passed (so a gate without rules passes). */
  passed: boolean;
  /** One result per rule, in rule order; contract-shaped, ready for GatePassed / GateFailed. */
  rules: GateRuleResult[];
  /** The baseline run compared against; null when none was found, memory was used or no rule refers to `baseline`. */
  baselineRunId: string | null;
  /**
   * Where `baseline` rules looked (run or memory) and what they found: the run, or the learnings
   * (with their versions) that a rule used; null when no rule refers to `baseline`.
   */
  baselineSource: GateBaselineSource | null;
}

/** The value of the rule's aggregate over a run's case scores, or null when the metric has none there. */
function valueIn(scores: ScoresByMetric, rule: GateRule): number | null {
  const metricScores = scores.get(rule.metric) ?? [];
  switch (rule.aggregate) {
    case 'pass_rate': {
      if (rule.passThreshold === undefined) throw new Error(`pass_rate rule without a pass threshold: ${rule.source}`);
      return passRate(metricScores, rule.passThreshold) ?? null;
    }
    case 'mean':
    case 'min':
    case 'max':
    case 'p10':
    case 'p50':
    case 'p90':
      return aggregateScores(rule.metric, metricScores)?.[rule.aggregate] ?? null;
    default: {
      const unexpected: never = rule.aggregate;
      throw new Error(`unknown aggregate ${String(unexpected)}`);
    }
  }
}

interface Threshold {
  threshold: number;
  /** The baseline's value of the rule's aggregate; null for a fixed threshold or a missing baseline. */
  baselineValue: number | null;
  noBaseline: boolean;
}

/** The baseline's value of the rule's aggregate: from the baseline run's scores, or learned by memory. */
function baselineValueOf(baseline: GateBaseline | null, rule: GateRule): number | null {
  if (baseline === null) return null;
  return isLearned(baseline) ? learnedValue(baseline, rule) : valueIn(baseline.scores, rule);
}

function resolveThreshold(rule: GateRule, baseline: GateBaseline | null): Threshold {
  switch (rule.threshold.kind) {
    case 'number':
      return { threshold: rule.threshold.value, baselineValue: null, noBaseline: false };
    case 'baseline': {
      const value = baselineValueOf(baseline, rule);
      if (value === null) return { threshold: rule.threshold.offset, baselineValue: null, noBaseline: true };
      const baselineValue = roundForComparison(value);
      return { threshold: value + rule.threshold.offset, baselineValue, noBaseline: false };
    }
    default: {
      const unexpected: never = rule.threshold;
      throw new Error(`unknown threshold ${JSON.stringify(unexpected)}`);
    }
  }
}

function judgeRule(
  rule: GateRule,
  scores: ScoresByMetric,
  baseline: GateBaseline | null,
  policy: MissingBaselinePolicy,
): GateRuleResult {
  const value = valueIn(scores, rule);
  const actual = value === null ? null : roundForComparison(value);
  const resolved = resolveThreshold(rule, baseline);
  const threshold = roundForComparison(resolved.threshold);
  // No scores always fails; without a baseline value the run's policy decides.
  const compared = resolved.noBaseline
    ? policy === 'pass'
    : actual !== null && compare(actual, rule.comparator, threshold);
  return {
    rule: rule.source,
    metric: rule.metric,
    aggregate: rule.aggregate,
    comparator: rule.comparator,
    threshold,
    actual,
    passed: actual !== null && compared,
    baselineValue: resolved.baselineValue,
    noBaseline: resolved.noBaseline,
  };
}

/**
 * Where the baseline rules looked and what they used: the baseline run (or none yet), or the
 * learnings of the metrics of baseline rules that memory had (a rule without one says noBaseline).
 */
function baselineSourceOf(rules: readonly GateRule[], baseline: GateBaseline | null): GateBaselineSource {
  if (baseline === null || !isLearned(baseline)) return { kind: 'run', runId: baseline?.runId ?? null, learnings: [] };
  const metrics = [...new Set(rules.filter((rule) => rule.threshold.kind === 'baseline').map((rule) => rule.metric))];
  const learnings = metrics.sort().flatMap((metric) => {
    const learning = baseline.learnings.get(metric);
    if (!learning) return [];
    return [{ metric, learningId: learning.learningId, version: learning.version, runId: learning.runId }];
  });
  return { kind: 'memory', runId: null, learnings };
}

/**
 * Judges every rule against the run's case scores (and, for `baseline` rules, the baseline run's
 * scores or memory's learned baselines). Reported actual, threshold and baseline value are the
 * values compared, rounded to 1e-9 (see roundForComparison).
 */
export function evaluateGate(
  rules: readonly GateRule[],
  scores: ScoresByMetric,
  baseline: GateBaseline | null = null,
  options: GateOptions = {},
): GateVerdict {
  const policy = options.missingBaseline ?? 'fail';
  const results = rules.map((rule) => judgeRule(rule, scores, baseline, policy));
  const usesBaseline = rules.some((rule) => rule.threshold.kind === 'baseline');
  const source = usesBaseline ? baselineSourceOf(rules, baseline) : null;
  return {
    passed: results.every((result) => result.passed),
    rules: results,
    baselineRunId: source?.runId ?? null,
    baselineSource: source,
  };
}
