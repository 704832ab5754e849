import { comparePaired, type PairedScore } from '@evalvault/evaluation';
import type { ComparedRun, MetricComparison, RunComparison, RunView } from '@evalvault/service-apis';

/** A case both runs evaluated (same case id), with each run's score per metric. */
export interface SharedCaseScores {
  caseId: string;
  base: Readonly<Record<string, number>>;
  candidate: Readonly<Record<string, number>>;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Two runs side by side: what changed in their configuration, each metric's aggregates and mean
 * delta, and, over the cases both evaluated, the paired statistics (libs/evaluation comparePaired:
 * bootstrap interval, Wilcoxon test, effect sizes, the cases that fell most).
 */
export function compareRuns(base: RunView, candidate: RunView, shared: readonly SharedCaseScores[]): RunComparison {
  const names = [
    ...new Set([...base.metrics, ...candidate.metrics, ...[...base.aggregates, ...candidate.aggregates].map(nameOf)]),
  ].sort();
  const metrics = names.map((metric): MetricComparison => {
    const a = base.aggregates.find((aggregate) => aggregate.metric === metric) ?? null;
    const b = candidate.aggregates.find((aggregate) => aggregate.metric === metric) ?? null;
    const pairs = pairsOf(shared, metric);
    return {
      metric,
      base: a,
      candidate: b,
      meanDelta: a && b ? Math.round((b.mean - a.mean) * 1e9) / 1e9 : null,
      paired: pairs.length > 0 ? comparePaired(pairs) : null,
    };
  });
  return {
    base: summary(base),
    candidate: summary(candidate),
    configurationChanges: configurationChanges(base, candidate),
    sharedCases: shared.length,
    metrics,
    regressions: metrics.filter((m) => m.paired?.verdict === 'regressed').map((m) => m.metric),
  };
}

const nameOf = (aggregate: { metric: string }): string => aggregate.metric;

function pairsOf(shared: readonly SharedCaseScores[], metric: string): PairedScore[] {
  return shared.flatMap((entry) => {
    const base = entry.base[metric];
    const candidate = entry.candidate[metric];
    return base === undefined || candidate === undefined ? [] : [{ caseId: entry.caseId, base, candidate }];
  });
}

function configurationChanges(base: RunView, candidate: RunView): string[] {
  return (
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
}

function summary(run: RunView): ComparedRun {
  return { runId: run.runId, status: run.status, gatePassed: run.gate?.passed ?? null, configHash: run.configHash };
}
