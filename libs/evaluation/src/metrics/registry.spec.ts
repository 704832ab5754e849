import { defineMetric } from './define-metric.js';
import { tokenF1Metric } from './deterministic/token-f1.js';
import { MetricError } from './metric-error.js';
import { METRIC_NAMES, METRICS, metricByName } from './registry.js';
import { testCase, TINY_VECTORS } from './testing/fixtures.js';
import { UNCALLABLE_JUDGE } from './testing/scripted-judge.js';

describe('metric registry', () => {
  it('finds metrics by name', () => {
    expect(metricByName('token_f1')).toBe(tokenF1Metric);
    for (const name of METRIC_NAMES) expect(METRICS[name]?.name).toBe(name);
    expect(METRIC_NAMES).toHaveLength(16);
  });

  it('rejects an unknown name, listing the known ones', () => {
    expect(() => metricByName('f1_score')).toThrow(MetricError);
    expect(() => metricByName('f1_score')).toThrow(
      /Unknown metric "f1_score"; known metrics: answer_relevancy, answer_relevancy_llm, bleu, .*token_f1/,
    );
    expect(() => metricByName('toString')).toThrow(/Unknown metric "toString"/);
  });

  it.each(METRIC_NAMES.map((name) => [name]))('%s checks its requirements before any work', async (name) => {
    const metric = metricByName(name);
    const deps = { judge: UNCALLABLE_JUDGE, wordVectors: TINY_VECTORS };
    if (metric.requires.includes('groundTruth')) {
      await expect(metric.score(testCase({ id: 'g', groundTruth: null, contexts: ['c'] }), deps)).rejects.toMatchObject(
        { code: 'MISSING_GROUND_TRUTH', metric: name },
      );
    }
    if (metric.requires.includes('contexts')) {
      await expect(metric.score(testCase({ id: 'c', groundTruth: 'g', contexts: [] }), deps)).rejects.toMatchObject({
        code: 'MISSING_CONTEXTS',
        metric: name,
      });
    }
    if (metric.kind === 'llm') {
      const complete = testCase({ groundTruth: 'g', contexts: ['c'] });
      await expect(metric.score(complete, { wordVectors: TINY_VECTORS }, { rubric: 'r' })).rejects.toMatchObject({
        code: 'MISSING_JUDGE',
        metric: name,
      });
    }
  });
});

describe('defineMetric', () => {
  const fixed = (score: number) =>
    defineMetric({
      name: 'fixed',
      kind: 'deterministic',
      requires: [],
      description: 'test',
      compute: () => ({ score, explanation: 'x' }),
    });

  it('clamps rounding drift into [0, 1]', async () => {
    expect((await fixed(1.0000000002).score(testCase())).score).toBe(1);
    expect((await fixed(-1e-12).score(testCase())).score).toBe(0);
  });

  it('reports a NaN score as INVALID_SCORE instead of passing it on', async () => {
    await expect(fixed(Number.NaN).score(testCase({ id: 'n1' }))).rejects.toMatchObject({
      code: 'INVALID_SCORE',
      metric: 'fixed',
      details: { caseId: 'n1' },
    });
  });

  it('treats a ground truth left out of JSON (undefined) as missing', async () => {
    const fromJson = JSON.parse('{"id":"j1","question":"q","answer":"a","contexts":[]}') as Parameters<
      typeof tokenF1Metric.score
    >[0];
    await expect(tokenF1Metric.score(fromJson)).rejects.toMatchObject({ code: 'MISSING_GROUND_TRUTH' });
  });
});
