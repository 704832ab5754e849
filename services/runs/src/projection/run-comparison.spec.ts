import type { RunView } from '@evalvault/service-apis';
import { compareRuns, type SharedCaseScores } from './run-comparison.js';

const aggregate = (metric: string, mean: number) => ({
  metric,
  count: 10,
  mean,
  min: 0,
  max: 1,
  p10: 0,
  p50: mean,
  p90: 1,
});
const run = (overrides: Partial<RunView>): RunView => ({
  runId: 'r1',
  projectId: 'p',
  status: 'completed',
  counts: { total: 10, evaluated: 10, failed: 0 },
  metrics: ['token_f1', 'exact_match'],
  aggregates: [aggregate('token_f1', 0.7), aggregate('exact_match', 0.5)],
  gateRules: ['mean(token_f1) >= 0.6'],
  verdict: 'passed',
  gate: { passed: true, rules: [], baselineRunId: null, baselineSource: null },
  configHash: 'h1',
  lineage: {
    dataset: { id: 'd', name: 'qa', version: 1, contentHash: 'c' },
    datasetKey: 'd',
    prompt: null,
    modelProfile: null,
    judge: null,
  },
  labels: {},
  retryOf: null,
  requestedBy: 'a',
  requestedAt: '2026-11-26T00:00:00.000Z',
  startedAt: null,
  finishedAt: null,
  costUsd: 0,
  usage: { requests: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, cacheHits: 0, costUsd: 0 },
  failure: null,
  memory: { use: false },
  ...overrides,
});

/** Twelve shared cases: token_f1 fell on eight of them, exact_match stayed. */
const shared: SharedCaseScores[] = Array.from({ length: 12 }, (_, i) => ({
  caseId: `case-${String(i + 1).padStart(2, '0')}`,
  base: { token_f1: 0.8, exact_match: 1 },
  candidate: { token_f1: i < 8 ? 0.8 - 0.05 * (i + 1) : 0.8, exact_match: 1 },
}));

describe('compareRuns', () => {
  it('names what changed and gives each metric’s mean delta', () => {
    const base = run({});
    const candidate = run({
      runId: 'r2',
      configHash: 'h2',
      metrics: ['exact_match', 'token_f1', 'rouge_l'],
      gate: { passed: false, rules: [], baselineRunId: null, baselineSource: null },
      aggregates: [aggregate('token_f1', 0.55), aggregate('exact_match', 0.5), aggregate('rouge_l', 0.4)],
      lineage: { ...base.lineage, prompt: { id: 'pr', name: 'answer', version: 2, contentHash: 'x' } },
    });
    const comparison = compareRuns(base, candidate, []);
    expect(comparison.configurationChanges).toEqual(['prompt', 'metrics']);
    expect(comparison.candidate).toEqual({ runId: 'r2', status: 'completed', gatePassed: false, configHash: 'h2' });
    expect(comparison.metrics.map((m) => [m.metric, m.meanDelta, m.paired])).toEqual([
      ['exact_match', 0, null],
      ['rouge_l', null, null],
      ['token_f1', -0.15, null],
    ]);
  });

  it('tests each metric over the shared cases and flags only a significant drop as a regression', () => {
    const comparison = compareRuns(run({}), run({ runId: 'r2' }), shared);
    expect(comparison.sharedCases).toBe(12);
    expect(comparison.regressions).toEqual(['token_f1']);
    const tokenF1 = comparison.metrics.find((m) => m.metric === 'token_f1')!.paired!;
    // Eight drops of 0.05 to 0.40 and four unchanged cases (zeros: the normal approximation), no rise.
    expect(tokenF1).toMatchObject({ cases: 12, verdict: 'regressed', test: { method: 'normal', statistic: 0 } });
    expect(tokenF1.meanDifference).toBeCloseTo(-1.8 / 12, 12);
    expect(tokenF1.test.pValue).toBeLessThan(0.05);
    expect(tokenF1.interval.high).toBeLessThan(0);
    expect(tokenF1.mostRegressed.map((c) => c.caseId)).toEqual(['case-08', 'case-07', 'case-06', 'case-05', 'case-04']);
    const exactMatch = comparison.metrics.find((m) => m.metric === 'exact_match')!.paired!;
    expect(exactMatch).toMatchObject({ verdict: 'unchanged', meanDifference: 0, test: { pValue: 1 } });
  });

  it('names a changed judge as a configuration change', () => {
    const judge = { provider: 'openai', model: 'gpt-4o-mini', parametersJson: '{"temperature":0}' };
    const candidate = run({ runId: 'r2', lineage: { ...run({}).lineage, judge } });
    expect(compareRuns(run({}), candidate, []).configurationChanges).toEqual(['judge']);
  });
});
