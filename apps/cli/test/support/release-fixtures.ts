import type { CaseView, MetricComparison, RunComparison, RunView } from '@evalvault/service-apis';

const ref = (id: string, name: string | null, version: number | null, hash: string) => ({
  id,
  name,
  version,
  contentHash: hash.repeat(64 / hash.length),
});

/** A completed run on dataset `ds-1` with these metric means (a metric left out has no aggregate). */
export function runView(
  runId: string,
  requestedAt: string,
  means: Record<string, number>,
  over: Partial<RunView> = {},
) {
  const view: RunView = {
    runId,
    projectId: 'default',
    status: 'completed',
    counts: { total: 3, evaluated: 3, failed: 0 },
    metrics: ['token_f1', 'rouge_l'],
    aggregates: Object.entries(means).map(([metric, mean]) => ({
      metric,
      count: 3,
      mean,
      min: mean,
      max: mean,
      p10: mean,
      p50: mean,
      p90: mean,
    })),
    gateRules: ['mean(token_f1) >= 0.5'],
    verdict: 'passed',
    gate: { passed: true, rules: [], baselineRunId: null, baselineSource: null },
    memory: { use: false },
    configHash: `${runId}-config`,
    lineage: {
      dataset: ref('ds-1', 'support answers', 2, 'ab'),
      datasetKey: 'ds-1',
      prompt: ref('pr-1', 'system', 1, 'cd'),
      modelProfile: null,
      judge: null,
    },
    labels: {},
    retryOf: null,
    requestedBy: null,
    requestedAt,
    startedAt: requestedAt,
    finishedAt: requestedAt,
    costUsd: 0,
    usage: { requests: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, cacheHits: 0, costUsd: 0 },
    failure: null,
  };
  return { ...view, ...over };
}

const paired = (verdict: 'regressed' | 'improved' | 'unchanged', meanDifference: number) => ({
  cases: 3,
  meanBase: 0.8,
  meanCandidate: 0.8 + meanDifference,
  meanDifference,
  interval: { low: meanDifference - 0.05, high: meanDifference + 0.05, confidence: 0.95, resamples: 2000, seed: 7 },
  test: {
    name: 'wilcoxon_signed_rank' as const,
    statistic: 0,
    pValue: verdict === 'unchanged' ? 0.4 : 0.0123,
    method: 'exact' as const,
  },
  effectSize: { rankBiserial: meanDifference < 0 ? -1 : 1, cohensDz: null },
  verdict,
  alpha: 0.05,
  mostRegressed: [] as Array<{ caseId: string; base: number; candidate: number; difference: number }>,
});

/** token_f1 regressed significantly (its worst case id is hostile markup), rouge_l unchanged. */
export function comparisonOf(
  base: string,
  candidate: string,
  worstCaseId = '<script>alert(1)</script>',
): RunComparison {
  const f1: MetricComparison = {
    metric: 'token_f1',
    base: null,
    candidate: null,
    meanDelta: -0.3,
    paired: {
      ...paired('regressed', -0.3),
      mostRegressed: [{ caseId: worstCaseId, base: 0.9, candidate: 0.1, difference: -0.8 }],
    },
  };
  const rouge: MetricComparison = {
    metric: 'rouge_l',
    base: null,
    candidate: null,
    meanDelta: 0,
    paired: paired('unchanged', 0),
  };
  return {
    base: { runId: base, status: 'completed', gatePassed: true, configHash: `${base}-config` },
    candidate: { runId: candidate, status: 'completed', gatePassed: true, configHash: `${candidate}-config` },
    configurationChanges: ['prompt'],
    sharedCases: 3,
    metrics: [f1, rouge],
    regressions: ['token_f1'],
  };
}

export function caseView(caseId: string, explanation: string): CaseView {
  return {
    caseIndex: 0,
    caseId,
    status: 'evaluated',
    scores: [{ metric: 'token_f1', score: 0.1, explanation }],
    durationMs: 3,
    error: null,
  };
}
