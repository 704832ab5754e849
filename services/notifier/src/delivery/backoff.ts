/** When the next attempt may run: exponential backoff with jitter, never sooner than Retry-After asks. */
export interface BackoffPolicy {
  initialBackoffMs: number;
  maxBackoffMs: number;
  maxRetryAfterMs: number;
}

/**
 * Delay after the `attempt`-th failure (1-based): a ceiling of initial × 2^(attempt-1), capped,
 * with "equal jitter" (half fixed, half random) so retries of many notifications spread out
 * but none comes back immediately. A destination's Retry-After wins when it is longer,
 * capped so a hostile header cannot park a notification forever.
 */
export function retryDelayMs(
  policy: BackoffPolicy,
  attempt: number,
  retryAfterMs: number | null,
  random: () => number,
): number {
  const ceiling = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** Math.max(0, attempt - 1));
  const backoff = Math.round(ceiling / 2 + (random() * ceiling) / 2);
  if (retryAfterMs === null) return backoff;
  return Math.max(backoff, Math.min(retryAfterMs, policy.maxRetryAfterMs));
}

/**
 * Retry-After as RFC 9110 §10.2.3 defines it: a number of seconds or an HTTP date.
 * Null when absent or unreadable; a date in the past is 0.
 */
export function parseRetryAfter(header: string | null, now: number): number | null {
  if (header === null) return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date) || !/[a-z]/i.test(text)) return null;
  return Math.max(0, date - now);
}
