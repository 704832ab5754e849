export interface BackoffPolicy {
  /** First retry waits about this long; each further retry doubles it. */
  baseDelayMs: number;
  /** No wait is longer, whatever the attempt or the vendor's Retry-After. */
  maxDelayMs: number;
}

/**
 * The wait before retry number `retry` (1 for the first). A vendor's Retry-After wins (it
 * knows when its window reopens) but is capped; otherwise exponential with "equal jitter"
 * (half fixed, half random), so workers that failed together do not retry together.
 */
export function retryDelayMs(
  retry: number,
  policy: BackoffPolicy,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxDelayMs);
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}
