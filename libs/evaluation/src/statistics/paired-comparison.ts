import { pairedBootstrapInterval, type Interval } from './bootstrap.js';
import { wilcoxonSignedRank } from './wilcoxon.js';

/** One case both runs scored, matched by case id. */
export interface PairedScore {
  caseId: string;
  base: number;
  candidate: number;
}

export interface PairedComparisonOptions {
  /** Coverage of the interval of the mean difference. Default 0.95. */
  confidence?: number;
  /** Significance level of the test: a change counts only when p < alpha. Default 0.05. */
  alpha?: number;
  /** Bootstrap seed. Default 1. */
  seed?: number;
  /** Bootstrap resamples. Default 10,000, fewer for very large runs (resamples × cases ≤ 10⁸, at least 1,000). */
  resamples?: number;
  /** How many of the most regressed cases to name. Default 5. */
  worstCases?: number;
}

export interface CaseChange {
  caseId: string;
  base: number;
  candidate: number;
  /** candidate − base */
  difference: number;
}

export type PairedVerdict = 'regressed' | 'improved' | 'unchanged';

export interface PairedComparison {
  /** Cases both runs scored on this metric. */
  cases: number;
  meanBase: number;
  meanCandidate: number;
  /** Mean of candidate − base over those cases (negative: the candidate scores lower). */
  meanDifference: number;
  /** Paired percentile bootstrap interval of the mean difference. */
  interval: Interval & { confidence: number; resamples: number; seed: number };
  /** Wilcoxon signed-rank test, two-sided. */
  test: { name: 'wilcoxon_signed_rank'; statistic: number; pValue: number; method: 'exact' | 'normal' };
  effectSize: {
    /** Matched-pairs rank-biserial correlation (W+ − W−) / (W+ + W−), in [−1, 1]; 0 when nothing changed. */
    rankBiserial: number;
    /** Cohen's d_z: mean difference / standard deviation of the differences; null when they do not vary. */
    cohensDz: number | null;
  };
  /** `regressed` / `improved` only when p < alpha; otherwise `unchanged`, whatever the mean difference. */
  verdict: PairedVerdict;
  alpha: number;
  /** The cases whose score fell most (largest drop first), only those that fell. */
  mostRegressed: CaseChange[];
}

const MAX_DRAWS = 100_000_000;

/**
 * Compares a metric between two runs over the cases both scored: the mean difference with a seeded
 * paired bootstrap interval, a Wilcoxon signed-rank test, two effect sizes, and the cases that
 * regressed most. A regression is flagged only when the test is significant.
 */
export function comparePaired(pairs: readonly PairedScore[], options: PairedComparisonOptions = {}): PairedComparison {
  if (pairs.length === 0) throw new RangeError('a paired comparison needs at least one case scored by both runs');
  const confidence = options.confidence ?? 0.95;
  const alpha = options.alpha ?? 0.05;
  const seed = options.seed ?? 1;
  const resamples = options.resamples ?? defaultResamples(pairs.length);
  const differences = pairs.map((pair) => pair.candidate - pair.base);
  const meanDifference = mean(differences);
  const test = wilcoxonSignedRank(differences);
  const rankTotal = test.positiveRankSum + test.negativeRankSum;
  const significant = test.pValue < alpha;
  return {
    cases: pairs.length,
    meanBase: mean(pairs.map((pair) => pair.base)),
    meanCandidate: mean(pairs.map((pair) => pair.candidate)),
    meanDifference,
    interval: { ...pairedBootstrapInterval(differences, { resamples, confidence, seed }), confidence, resamples, seed },
    test: { name: 'wilcoxon_signed_rank', statistic: test.statistic, pValue: test.pValue, method: test.method },
    effectSize: {
      rankBiserial: rankTotal === 0 ? 0 : (test.positiveRankSum - test.negativeRankSum) / rankTotal,
      cohensDz: cohensDz(differences, meanDifference),
    },
    verdict: !significant || meanDifference === 0 ? 'unchanged' : meanDifference < 0 ? 'regressed' : 'improved',
    alpha,
    mostRegressed: mostRegressed(pairs, options.worstCases ?? 5),
  };
}

/** 10,000 resamples, fewer past 10,000 cases so that a comparison draws at most 10⁸ cases (at least 1,000). */
export function defaultResamples(cases: number): number {
  return Math.max(1_000, Math.min(10_000, Math.floor(MAX_DRAWS / Math.max(1, cases))));
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function cohensDz(differences: readonly number[], meanDifference: number): number | null {
  if (differences.length < 2) return null;
  const variance =
    differences.reduce((sum, value) => sum + (value - meanDifference) ** 2, 0) / (differences.length - 1);
  return variance > 0 ? meanDifference / Math.sqrt(variance) : null;
}

function mostRegressed(pairs: readonly PairedScore[], count: number): CaseChange[] {
  return pairs
    .map((pair) => ({ ...pair, difference: pair.candidate - pair.base }))
    .filter((change) => change.difference < 0)
    .sort((a, b) => a.difference - b.difference || (a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0))
    .slice(0, count);
}
