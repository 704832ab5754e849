import type { RssSample } from './rss-sampler.js';

/** What a process's resident set did over a phase, in MB. */
export interface RssFigures {
  min: number;
  median: number;
  max: number;
  /** RSS at the first reading with at least 10 %, 50 % and 100 % of the work done. */
  at10: number | null;
  at50: number | null;
  at100: number | null;
  /**
   * Highest RSS while the first half of the work was done, and while the second half was (until the
   * last case: what follows, such as a run's completion, counts in `max` and `at100` only).
   */
  maxFirstHalf: number;
  maxSecondHalf: number;
  /** maxSecondHalf − maxFirstHalf: about 0 when memory is flat, about half the growth when it grows with the work. */
  growth: number;
}

/** Median (or any quantile, 0..1) of the values by nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** The figures of one process (`name`) over samples of a phase whose work totals `total` (cases or bytes). */
export function rssFigures(samples: readonly RssSample[], name: string, total: number): RssFigures | null {
  const readings = samples
    .filter((sample) => sample.rssMb[name] !== undefined)
    .map((sample) => ({ done: sample.scored, mb: sample.rssMb[name]! }));
  if (readings.length === 0) return null;
  const values = readings.map((reading) => reading.mb);
  const at = (share: number): number | null => readings.find((reading) => reading.done >= share * total)?.mb ?? null;
  const maxOf = (list: readonly { mb: number }[]): number => Math.max(...list.map((reading) => reading.mb));
  const firstHalf = readings.filter((reading) => reading.done < total / 2);
  const secondHalf = readings.filter((reading) => reading.done >= total / 2 && reading.done < total);
  const maxFirstHalf = firstHalf.length > 0 ? maxOf(firstHalf) : Number.NaN;
  const maxSecondHalf = secondHalf.length > 0 ? maxOf(secondHalf) : Number.NaN;
  return {
    min: Math.min(...values),
    median: quantile(values, 0.5),
    max: Math.max(...values),
    at10: at(0.1),
    at50: at(0.5),
    at100: at(1),
    maxFirstHalf,
    maxSecondHalf,
    growth: maxSecondHalf - maxFirstHalf,
  };
}
