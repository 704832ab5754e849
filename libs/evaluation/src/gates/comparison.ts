import type { GateComparator } from './gate-rule.js';

const RESOLUTION = 1e9;

/**
 * Rounds to 1e-9 so that float noise does not decide a gate: the mean of [0.1, 0.2, 0.3] is
 * 0.20000000000000004 and a baseline of 0.85 minus 0.02 is 0.8299999999999998. Values too large
 * to scale safely (beyond ~9e6, never a score) are left as they are.
 */
export function roundForComparison(value: number): number {
  const scaled = value * RESOLUTION;
  if (!(Math.abs(scaled) < Number.MAX_SAFE_INTEGER)) return value;
  // "+ 0" turns a rounded -0 into 0, so it is reported as 0.
  return Math.round(scaled) / RESOLUTION + 0;
}

/** `actual comparator threshold`, both already rounded by the caller. */
export function compare(actual: number, comparator: GateComparator, threshold: number): boolean {
  switch (comparator) {
    case '>=':
      return actual >= threshold;
    case '>':
      return actual > threshold;
    case '<=':
      return actual <= threshold;
    case '<':
      return actual < threshold;
    case '==':
      return actual === threshold;
    case '!=':
      return actual !== threshold;
    default: {
      const unexpected: never = comparator;
      throw new Error(`unknown comparator ${String(unexpected)}`);
    }
  }
}

/** Share of cases whose score reaches passThreshold (compared at the same 1e-9 resolution); undefined for no scores. */
export function passRate(scores: readonly number[], passThreshold: number): number | undefined {
  if (scores.length === 0) return undefined;
  const bar = roundForComparison(passThreshold);
  const passing = scores.filter((score) => roundForComparison(score) >= bar).length;
  return passing / scores.length;
}
