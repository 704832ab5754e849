import { parseRetryAfter, retryDelayMs } from './backoff.js';

describe('retry delays', () => {
  const policy = { initialBackoffMs: 1_000, maxBackoffMs: 60_000, maxRetryAfterMs: 120_000 };

  it('doubles the ceiling per attempt with jitter between half and all of it', () => {
    expect(retryDelayMs(policy, 1, null, () => 0)).toBe(500);
    expect(retryDelayMs(policy, 1, null, () => 1)).toBe(1_000);
    expect(retryDelayMs(policy, 3, null, () => 0)).toBe(2_000);
    expect(retryDelayMs(policy, 3, null, () => 0.5)).toBe(3_000);
    expect(retryDelayMs(policy, 20, null, () => 1)).toBe(60_000);
  });

  it('spreads retries of the same attempt', () => {
    const delays = new Set(Array.from({ length: 20 }, (_, index) => retryDelayMs(policy, 4, null, () => index / 20)));
    expect(delays.size).toBe(20);
    for (const delay of delays) expect(delay).toBeGreaterThanOrEqual(4_000);
  });

  it('waits at least as long as Retry-After asks, up to its cap', () => {
    expect(retryDelayMs(policy, 1, 7_000, () => 0)).toBe(7_000);
    expect(retryDelayMs(policy, 5, 1_000, () => 1)).toBe(16_000); // backoff is longer
    expect(retryDelayMs(policy, 1, 86_400_000, () => 0)).toBe(120_000);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    expect(parseRetryAfter('3', now)).toBe(3_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
  });
});
