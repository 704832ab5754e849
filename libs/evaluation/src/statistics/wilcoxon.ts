import { normalSurvival } from './normal.js';

export interface WilcoxonResult {
  /** min(W+, W−): the smaller sum of the ranks of |d| over positive and over negative differences. */
  statistic: number;
  /** W+ and W−, for the effect size. */
  positiveRankSum: number;
  negativeRankSum: number;
  /** Two-sided p-value; 1 when every difference is zero (nothing to test). */
  pValue: number;
  /** `exact` (null distribution enumerated) or `normal` (approximation with the tie correction). */
  method: 'exact' | 'normal';
  /** Differences left after dropping the zeros. */
  nonZero: number;
}

/** Exact p-values up to this many non-zero differences without ties, as scipy's method="auto". */
const EXACT_MAX = 50;

/**
 * Wilcoxon signed-rank test of paired differences against a symmetric distribution around 0,
 * two-sided, as scipy.stats.wilcoxon with its defaults (zero_method="wilcox": zero differences
 * dropped; no continuity correction): ranks of |d| with ties averaged; the exact null distribution
 * when at most 50 differences remain and none are zero or tied, otherwise the normal approximation
 * z = (T − n(n+1)/4) / σ with σ² = (n(n+1)(2n+1) − ½ Σ t(t²−1)) / 24 over tie groups of size t.
 * (scipy also enumerates when there are ties; their half ranks make that inexact, so we do not.)
 */
export function wilcoxonSignedRank(differences: readonly number[]): WilcoxonResult {
  const hadZeros = differences.some((d) => d === 0);
  const d = differences.filter((value) => value !== 0);
  const n = d.length;
  if (n === 0) {
    return { statistic: 0, positiveRankSum: 0, negativeRankSum: 0, pValue: 1, method: 'exact', nonZero: 0 };
  }
  const { ranks, tieGroups } = averageRanks(d.map(Math.abs));
  let positive = 0;
  let negative = 0;
  d.forEach((value, index) => {
    if (value > 0) positive += ranks[index]!;
    else negative += ranks[index]!;
  });
  const statistic = Math.min(positive, negative);
  const result = { statistic, positiveRankSum: positive, negativeRankSum: negative, nonZero: n };
  if (n <= EXACT_MAX && !hadZeros && tieGroups.length === 0) {
    return { ...result, pValue: exactPValue(n, positive), method: 'exact' };
  }
  const mean = (n * (n + 1)) / 4;
  const ties = tieGroups.reduce((sum, t) => sum + t * (t * t - 1), 0);
  const sigma = Math.sqrt((n * (n + 1) * (2 * n + 1) - 0.5 * ties) / 24);
  const pValue = sigma === 0 ? 1 : Math.min(1, 2 * normalSurvival(Math.abs((statistic - mean) / sigma)));
  return { ...result, pValue, method: 'normal' };
}

/** Ranks 1..n of the values, ties given the mean of their ranks; the sizes of the tie groups. */
function averageRanks(values: readonly number[]): { ranks: number[]; tieGroups: number[] } {
  const order = values.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const ranks = new Array<number>(values.length);
  const tieGroups: number[] = [];
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]!.value === order[start]!.value) end += 1;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k += 1) ranks[order[k]!.index] = rank;
    if (end > start) tieGroups.push(end - start + 1);
    start = end + 1;
  }
  return { ranks, tieGroups };
}

/**
 * Two-sided exact p-value of W+ = w: the null distribution of W+ counts the subsets of the ranks
 * 1..n by their sum (all 2ⁿ sign patterns equally likely); p = 2·min(P(W+ ≤ w), P(W+ ≥ w)), capped
 * at 1, and exactly 1 at the centre, as scipy computes it. Counts stay below 2⁵³ for n ≤ 50.
 */
function exactPValue(n: number, w: number): number {
  const maxSum = (n * (n + 1)) / 2;
  const counts = new Float64Array(maxSum + 1);
  counts[0] = 1;
  for (let rank = 1; rank <= n; rank += 1) {
    for (let sum = (rank * (rank + 1)) / 2; sum >= rank; sum -= 1) {
      counts[sum] = (counts[sum] ?? 0) + (counts[sum - rank] ?? 0);
    }
  }
  if (w === Math.floor(maxSum / 2)) return 1;
  const total = 2 ** n;
  let lower = 0;
  let upper = 0;
  for (let sum = 0; sum <= maxSum; sum += 1) {
    const count = counts[sum] ?? 0;
    if (sum <= w) lower += count;
    if (sum >= w) upper += count;
  }
  return Math.min(1, (2 * Math.min(lower, upper)) / total);
}
