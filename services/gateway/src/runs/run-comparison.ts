import type { MetricAggregate } from '@evalvault/contracts';
import type { RunView } from '@evalvault/service-apis';

export interface MetricComparison {
  metric: string;
  base: MetricAggregate | null;
  candidate: MetricAggregate | null;
  /** candidate.mean − base.mean; null when either run lacks the metric. */
  meanDelta: number | null;
}

export interface RunComparison {
  base: { runId: string; status: string; gatePassed: boolean | null; configHash: string };
  candidate: { runId: string; status: string; gatePassed: boolean | null; configHash: string };
  /** What differs in what the two runs evaluated, by name: dataset, prompt, modelProfile, judge, metrics, gateRules. */
  configurationChanges: string[];
  metrics: MetricComparison[];
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Two runs side by side: configuration differences and per-metric aggregates with their deltas. */
export function compareRuns(base: RunView, candidate: RunView): RunComparison {
  const changes = (
    [
      ['dataset', base.lineage.dataset, candidate.lineage.dataset],
      ['prompt', base.lineage.prompt, candidate.lineage.prompt],
      ['modelProfile', base.lineage.modelProfile, candidate.lineage.modelProfile],
      ['judge', base.lineage.judge ?? null, candidate.lineage.judge ?? null],
      ['metrics', [...base.metrics].sort(), [...candidate.metrics].sort()],
      ['gateRules', [...base.gateRules].sort(), [...candidate.gateRules].sort()],
    ] as const
  )
    .filter(([, a, b]) => !same(a, b))
    .map(([name]) => name);
  const names = [...new Set([...base.aggregates, ...candidate.aggregates].map((a) => a.metric))].sort();
  const metrics = names.map((metric): MetricComparison => {
    const a = base.aggregates.find((aggregate) => aggregate.metric === metric) ?? null;
    const b = candidate.aggregates.find((aggregate) => aggregate.metric === metric) ?? null;
    return { metric, base: a, candidate: b, meanDelta: a && b ? Math.round((b.mean - a.mean) * 1e9) / 1e9 : null };
  });
  const summary = (run: RunView) => ({
    runId: run.runId,
    status: run.status,
    gatePassed: run.gate?.passed ?? null,
    configHash: run.configHash,
  });
  return { base: summary(base), candidate: summary(candidate), configurationChanges: changes, metrics };
}
