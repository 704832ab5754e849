import type { MetricAggregate } from '@evalvault/contracts';
import type { LearningView, MemoryPatternView, RunInsights } from '@evalvault/service-apis';
import type { GateFailureSummary } from './run-tracker.js';

/** A mean this close to the baseline's is the same (scores are in [0, 1]; every metric is higher-is-better). */
export const SAME_WITHIN = 0.01;

const round = (value: number): number => Math.round(value * 1e6) / 1e6;

/**
 * A completed run against what memory had learned before it: each metric's mean against the
 * learned baseline of the same dataset and metric, and the failure patterns of this run that
 * earlier runs already had (the same dimension and value).
 */
export function runInsights(input: {
  runId: string;
  datasetKey: string;
  aggregates: readonly MetricAggregate[];
  /** The dataset's learnings before this run. */
  learned: readonly Pick<LearningView, 'metric' | 'baseline' | 'failurePatterns'>[];
  /** This run's failure patterns (dimension, value, count in this run). */
  failurePatterns: readonly Pick<MemoryPatternView, 'dimension' | 'value' | 'count'>[];
  gateFailures: readonly GateFailureSummary[];
}): RunInsights & { gateFailures: GateFailureSummary[] } {
  const byMetric = new Map(input.learned.map((learning) => [learning.metric, learning]));
  const trends = input.aggregates.map(({ metric, mean }) => {
    const baseline = byMetric.get(metric)?.baseline;
    if (!baseline || baseline.count === 0)
      return { metric, mean: round(mean), baselineMean: null, delta: null, direction: 'no baseline' as const };
    const delta = mean - baseline.mean;
    const direction = Math.abs(delta) < SAME_WITHIN ? 'same' : delta > 0 ? 'better' : 'worse';
    return { metric, mean: round(mean), baselineMean: round(baseline.mean), delta: round(delta), direction } as const;
  });
  const known = new Map<string, MemoryPatternView>();
  for (const learning of input.learned)
    for (const pattern of learning.failurePatterns) {
      const key = `${pattern.dimension}\0${pattern.value}`;
      const seen = known.get(key);
      if (!seen || seen.count < pattern.count) known.set(key, pattern);
    }
  const repeated: MemoryPatternView[] = [];
  const reported = new Set<string>();
  for (const pattern of input.failurePatterns) {
    const key = `${pattern.dimension}\0${pattern.value}`;
    const before = known.get(key);
    if (!before || reported.has(key)) continue;
    reported.add(key);
    repeated.push({
      dimension: pattern.dimension,
      value: pattern.value,
      count: before.count + pattern.count,
      lastRunId: input.runId,
    });
  }
  return {
    runId: input.runId,
    datasetKey: input.datasetKey,
    trends,
    repeatedFailurePatterns: repeated,
    gateFailures: [...input.gateFailures],
  };
}
