import { comparePaired, defaultResamples, type PairedScore } from './paired-comparison.js';

const pairs = (base: number[], candidate: number[]): PairedScore[] =>
  base.map((score, index) => ({ caseId: `c${index + 1}`, base: score, candidate: candidate[index]! }));

describe('paired comparison of a metric between two runs', () => {
  it('flags a significant drop as a regression and names the cases that fell most', () => {
    // exact_match: 8 of 25 cases lost, none gained (Wilcoxon p = 0.0047)
    const base = Array<number>(25).fill(1);
    const candidate = [...Array<number>(12).fill(1), ...Array<number>(8).fill(0), ...Array<number>(5).fill(1)];
    const result = comparePaired(pairs(base, candidate));
    expect(result).toMatchObject({
      cases: 25,
      meanBase: 1,
      meanCandidate: 17 / 25,
      verdict: 'regressed',
      alpha: 0.05,
      test: { name: 'wilcoxon_signed_rank', statistic: 0, method: 'normal' },
      effectSize: { rankBiserial: -1 },
      interval: { confidence: 0.95, resamples: 10_000, seed: 1 },
    });
    expect(result.meanDifference).toBeCloseTo(-0.32, 12);
    expect(result.test.pValue).toBeCloseTo(0.0046777349810472576, 14);
    expect(result.interval.high).toBeLessThan(0);
    expect(result.mostRegressed.map((change) => change.caseId)).toEqual(['c13', 'c14', 'c15', 'c16', 'c17']);
    expect(result.mostRegressed[0]).toEqual({ caseId: 'c13', base: 1, candidate: 0, difference: -1 });
  });

  it('does not flag a drop the test cannot tell from noise', () => {
    // Two of five cases fell a little, one rose: the mean is lower, p = 0.625
    const result = comparePaired(pairs([0.8, 0.7, 0.9, 0.6, 0.5], [0.7, 0.6, 0.95, 0.6, 0.5]));
    expect(result.meanDifference).toBeLessThan(0);
    expect(result.verdict).toBe('unchanged');
    expect(result.test.pValue).toBeGreaterThan(0.05);
    expect(result.mostRegressed.map((change) => change.caseId)).toEqual(['c1', 'c2']);
  });

  it('calls a significant rise an improvement, with a positive effect size', () => {
    const base = Array.from({ length: 12 }, (_, i) => 0.4 + i * 0.01);
    const result = comparePaired(
      pairs(
        base,
        base.map((score, i) => score + 0.05 + i * 0.001),
      ),
    );
    expect(result.verdict).toBe('improved');
    expect(result.effectSize.rankBiserial).toBe(1);
    expect(result.effectSize.cohensDz).toBeGreaterThan(1);
    expect(result.mostRegressed).toEqual([]);
  });

  it('sees no change between a run and itself', () => {
    const result = comparePaired(pairs([0.2, 0.5, 0.9], [0.2, 0.5, 0.9]));
    expect(result).toMatchObject({
      meanDifference: 0,
      verdict: 'unchanged',
      test: { pValue: 1 },
      effectSize: { rankBiserial: 0, cohensDz: null },
      interval: { low: 0, high: 0 },
    });
  });

  it('uses fewer resamples for very large runs, reported with the interval', () => {
    expect([10, 10_000, 50_000, 100_000, 1_000_000].map(defaultResamples)).toEqual([
      10_000, 10_000, 2_000, 1_000, 1_000,
    ]);
    expect(comparePaired(pairs([0.1, 0.2], [0.3, 0.2]), { resamples: 500 }).interval.resamples).toBe(500);
  });
});
