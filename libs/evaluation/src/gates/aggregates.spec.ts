import { aggregateMetrics, aggregateScores, percentile } from './aggregates.js';

const TENTHS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];

describe('percentile (linear interpolation between closest ranks)', () => {
  it('matches hand-computed values on [0.1 .. 1.0]', () => {
    // rank = 9 * p / 100: p10 -> 0.9 -> 0.1 + 0.9 * 0.1; p50 -> 4.5 -> 0.5 + 0.5 * 0.1; p90 -> 8.1 -> 0.9 + 0.1 * 0.1
    expect(percentile(TENTHS, 10)).toBeCloseTo(0.19, 12);
    expect(percentile(TENTHS, 50)).toBeCloseTo(0.55, 12);
    expect(percentile(TENTHS, 90)).toBeCloseTo(0.91, 12);
  });

  it('matches hand-computed values on an odd count (numpy gives the same)', () => {
    // rank = 2 * p / 100: p10 -> 0.2 -> 0.2 + 0.2 * 0.2; p50 -> 1 -> 0.4; p90 -> 1.8 -> 0.4 + 0.8 * 0.5
    expect(percentile([0.9, 0.2, 0.4], 10)).toBeCloseTo(0.24, 12);
    expect(percentile([0.9, 0.2, 0.4], 50)).toBe(0.4);
    expect(percentile([0.9, 0.2, 0.4], 90)).toBeCloseTo(0.8, 12);
  });

  it('gives the min at 0 and the max at 100, whatever the input order', () => {
    expect(percentile([0.3, 0.1, 0.2], 0)).toBe(0.1);
    expect(percentile([0.3, 0.1, 0.2], 100)).toBe(0.3);
  });

  it('is undefined for no scores and rejects a percent outside 0..100', () => {
    expect(percentile([], 50)).toBeUndefined();
    expect(() => percentile([0.5], 101)).toThrow(RangeError);
    expect(() => percentile([0.5], Number.NaN)).toThrow(RangeError);
  });
});

describe('aggregateScores', () => {
  it('computes count, mean, min, max and percentiles', () => {
    const aggregate = aggregateScores('faithfulness', [...TENTHS].reverse());
    expect(aggregate).toEqual({
      metric: 'faithfulness',
      count: 10,
      mean: expect.closeTo(0.55, 12),
      min: 0.1,
      max: 1.0,
      p10: expect.closeTo(0.19, 12),
      p50: expect.closeTo(0.55, 12),
      p90: expect.closeTo(0.91, 12),
    });
  });

  it('gives every statistic the one score of a single case', () => {
    expect(aggregateScores('x', [0.7])).toEqual({
      metric: 'x',
      count: 1,
      mean: 0.7,
      min: 0.7,
      max: 0.7,
      p10: 0.7,
      p50: 0.7,
      p90: 0.7,
    });
  });

  it('gives no aggregate for no scores', () => {
    expect(aggregateScores('x', [])).toBeNull();
  });

  it('rejects a score that is not a finite number', () => {
    expect(() => aggregateScores('x', [0.5, Number.NaN])).toThrow('metric x: every score must be a finite number');
    expect(() => aggregateScores('x', [Infinity])).toThrow(RangeError);
  });

  it('does not reorder the caller array', () => {
    const scores = [0.9, 0.1];
    aggregateScores('x', scores);
    expect(scores).toEqual([0.9, 0.1]);
  });
});

describe('aggregateMetrics', () => {
  it('aggregates each metric with scores, ordered by name, skipping metrics without scores', () => {
    const scores = new Map([
      ['token_f1', [0, 1]],
      ['context_recall', []],
      ['answer_relevancy', [0.5]],
    ]);
    const aggregates = aggregateMetrics(scores);
    expect(aggregates.map((aggregate) => aggregate.metric)).toEqual(['answer_relevancy', 'token_f1']);
    expect(aggregates[1]).toMatchObject({ count: 2, mean: 0.5, p10: 0.1, p50: 0.5, p90: 0.9 });
  });
});
