import { seededRandom } from './seeded-random.js';

export interface BootstrapOptions {
  /** Resamples drawn; more gives steadier bounds. */
  resamples: number;
  /** Coverage of the interval, e.g. 0.95. */
  confidence: number;
  /** The generator's seed: the same seed, data and resamples give the same interval. */
  seed: number;
}

export interface Interval {
  low: number;
  high: number;
}

/**
 * Percentile bootstrap interval of the mean of paired differences: resample the pairs (cases) with
 * replacement, take each resample's mean difference, and read the (1−c)/2 and (1+c)/2 quantiles of
 * those means (linear interpolation between order statistics, numpy's default). Resampling pairs,
 * not the two runs' scores separately, keeps each case's base and candidate scores together.
 */
export function pairedBootstrapInterval(differences: readonly number[], options: BootstrapOptions): Interval {
  const n = differences.length;
  if (n === 0) throw new RangeError('a bootstrap interval needs at least one paired difference');
  const random = seededRandom(options.seed);
  const means = new Float64Array(options.resamples);
  for (let resample = 0; resample < options.resamples; resample += 1) {
    let sum = 0;
    for (let draw = 0; draw < n; draw += 1) sum += differences[Math.floor(random() * n)]!;
    means[resample] = sum / n;
  }
  means.sort();
  const tail = (1 - options.confidence) / 2;
  return { low: quantile(means, tail), high: quantile(means, 1 - tail) };
}

/** The q-quantile of sorted values, interpolating linearly between neighbours (numpy's "linear"). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  const lower = sorted[below] ?? Number.NaN;
  const upper = sorted[above] ?? Number.NaN;
  return lower + (upper - lower) * (position - below);
}
