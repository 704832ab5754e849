import type { RunView } from '@evalvault/service-apis';
import { compareRuns } from './run-comparison.js';

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
  gate: { passed: true, rules: [], baselineRunId: null },
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
  failure: null,
  ...overrides,
});

describe('compareRuns', () => {
  it('names what changed and gives each metric’s mean delta', () => {
    const base = run({});
    const candidate = run({
      runId: 'r2',
      configHash: 'h2',
      metrics: ['exact_match', 'token_f1', 'rouge_l'],
      verdict: 'failed',
      gate: { passed: false, rules: [], baselineRunId: null },
      aggregates: [aggregate('token_f1', 0.55), aggregate('exact_match', 0.5), aggregate('rouge_l', 0.4)],
      lineage: { ...base.lineage, prompt: { id: 'pr', name: 'answer', version: 2, contentHash: 'x' } },
    });
    const comparison = compareRuns(base, candidate);
    expect(comparison.configurationChanges).toEqual(['prompt', 'metrics']);
    expect(comparison.candidate).toEqual({ runId: 'r2', status: 'completed', gatePassed: false, configHash: 'h2' });
    expect(comparison.metrics.map((m) => [m.metric, m.meanDelta])).toEqual([
      ['exact_match', 0],
      ['rouge_l', null],
      ['token_f1', -0.15],
    ]);
  });

  it('names a change of judge: same dataset and metrics, another judge model', () => {
    const judge = { provider: 'openai', model: 'gpt-4o-mini', parametersJson: '{"baseUrl":null,"temperature":0}' };
    const base = run({ lineage: { ...run({}).lineage, judge } });
    const candidate = run({ lineage: { ...base.lineage, judge: { ...judge, model: 'gpt-4o' } } });
    expect(compareRuns(base, candidate).configurationChanges).toEqual(['judge']);
  });

  it('sees no change between a run and itself', () => {
    const base = run({});
    expect(compareRuns(base, base).configurationChanges).toEqual([]);
  });
});
