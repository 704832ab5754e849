import { runInsights } from './run-insights.js';

const aggregate = (metric: string, mean: number) => ({
  metric,
  count: 10,
  mean,
  min: 0,
  max: 1,
  p10: 0,
  p50: 0,
  p90: 1,
});
const baseline = (mean: number) => ({ count: 3, mean, p10: 0.1, p50: 0.5, p90: 0.9, passRate: 0.7 });

describe('run insights', () => {
  it('compares each metric with its learned baseline and names the failure patterns the run repeats', () => {
    const insights = runInsights({
      runId: 'run-2',
      datasetKey: 'ds-1',
      aggregates: [
        aggregate('faithfulness', 0.9),
        aggregate('token_f1', 0.5),
        aggregate('recall', 0.705),
        aggregate('new', 1),
      ],
      learned: [
        {
          metric: 'faithfulness',
          baseline: baseline(0.8),
          failurePatterns: [{ dimension: 'question_type', value: 'why', count: 4, lastRunId: 'run-1' }],
        },
        { metric: 'token_f1', baseline: baseline(0.6), failurePatterns: [] },
        { metric: 'recall', baseline: baseline(0.7), failurePatterns: [] },
      ],
      failurePatterns: [
        { dimension: 'question_type', value: 'why', count: 2 },
        { dimension: 'contexts', value: 'none', count: 1 },
      ],
      gateFailures: [],
    });
    expect(insights.trends).toEqual([
      { metric: 'faithfulness', mean: 0.9, baselineMean: 0.8, delta: 0.1, direction: 'better' },
      { metric: 'token_f1', mean: 0.5, baselineMean: 0.6, delta: -0.1, direction: 'worse' },
      { metric: 'recall', mean: 0.705, baselineMean: 0.7, delta: 0.005, direction: 'same' },
      { metric: 'new', mean: 1, baselineMean: null, delta: null, direction: 'no baseline' },
    ]);
    expect(insights.repeatedFailurePatterns).toEqual([
      { dimension: 'question_type', value: 'why', count: 6, lastRunId: 'run-2' },
    ]);
  });
});
