import { normalSurvival } from './normal.js';
import { wilcoxonSignedRank } from './wilcoxon.js';

// Expected values are scipy 1.10.1's scipy.stats.wilcoxon(d) with its defaults, printed in full.
describe('Wilcoxon signed-rank test', () => {
  it("reproduces scipy's documented example (Darwin's paired plant heights): T = 24, p = 0.041259765625", () => {
    const d = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75];
    expect(wilcoxonSignedRank(d)).toMatchObject({ statistic: 24, method: 'exact', nonZero: 15 });
    expect(wilcoxonSignedRank(d).pValue).toBeCloseTo(0.041259765625, 15);
  });

  it('enumerates the exact distribution for small samples without ties or zeros', () => {
    expect(wilcoxonSignedRank([-1.5, 2.25, 3.1, -0.4, 5.5, 6.2, 7.7, 8.05])).toMatchObject({
      statistic: 3,
      pValue: 0.0390625,
      method: 'exact',
    });
    // Five differences all the same way: the smallest two-sided p there is, 2/2⁵.
    expect(wilcoxonSignedRank([0.1, 0.2, 0.3, 0.4, 0.5])).toMatchObject({ statistic: 0, pValue: 0.0625 });
  });

  it('drops zero differences and uses the normal approximation with the tie correction', () => {
    const d = [0.2, -0.1, 0, 0.3, 0.2, -0.2, 0.5, 0.1, 0, 0.3, 0.4, -0.1, 0.2];
    const result = wilcoxonSignedRank(d);
    expect(result).toMatchObject({ statistic: 9.5, method: 'normal', nonZero: 11 });
    expect(result.pValue).toBeCloseTo(0.03528574903886278, 13);
  });

  it('approximates above 50 differences (60 with ties): T = 711.5, p = 0.13410689873537457', () => {
    const d = Array.from({ length: 60 }, (_, i) => (((i + 1) * 37) % 101) / 100 - 0.45);
    const result = wilcoxonSignedRank(d);
    expect(result).toMatchObject({ statistic: 711.5, method: 'normal' });
    expect(result.pValue).toBeCloseTo(0.13410689873537457, 13);
  });

  it('finds a drop in exact-match scores significant (8 of 25 cases lost, none gained): p = 0.0046777', () => {
    const d = [...Array<number>(12).fill(0), ...Array<number>(8).fill(-1), ...Array<number>(5).fill(0)];
    expect(wilcoxonSignedRank(d)).toMatchObject({ statistic: 0, positiveRankSum: 0, negativeRankSum: 36 });
    expect(wilcoxonSignedRank(d).pValue).toBeCloseTo(0.0046777349810472576, 14);
  });

  it('answers p = 1 when nothing changed', () => {
    expect(wilcoxonSignedRank([0, 0, 0])).toMatchObject({ statistic: 0, pValue: 1, nonZero: 0 });
  });
});

describe('normal upper tail', () => {
  it.each([
    [0, 0.5],
    [0.5, 0.3085375387259869],
    [1, 0.15865525393145707],
    [1.959963984540054, 0.025],
    [3, 0.0013498980316300933],
    [5, 2.866515718791933e-7],
    [10, 7.61985302416047e-24],
    [30, 4.906713927147908e-198],
  ])('P(Z > %d) = %d, as scipy.stats.norm.sf', (z, expected) => {
    expect(normalSurvival(z) / expected).toBeCloseTo(1, 11); // e^(−z²/2) loses a few digits far out
    expect(normalSurvival(-z)).toBeCloseTo(1 - expected, 15);
  });
});
