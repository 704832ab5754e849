import { retryDelayMs } from './backoff.js';

describe('retry delay', () => {
  const policy = { baseDelayMs: 100, maxDelayMs: 5_000 };

  it('doubles per retry, with half of it random', () => {
    expect(retryDelayMs(1, policy, undefined, () => 0)).toBe(50);
    expect(retryDelayMs(1, policy, undefined, () => 1)).toBe(100);
    expect(retryDelayMs(3, policy, undefined, () => 0)).toBe(200);
    expect(retryDelayMs(3, policy, undefined, () => 1)).toBe(400);
  });

  it('never waits longer than the cap', () => {
    expect(retryDelayMs(20, policy, undefined, () => 1)).toBe(5_000);
  });

  it("takes the vendor's Retry-After as is, capped", () => {
    expect(retryDelayMs(1, policy, 1_000, () => 0)).toBe(1_000);
    expect(retryDelayMs(1, policy, 0, () => 1)).toBe(0);
    expect(retryDelayMs(1, policy, 60_000, () => 0)).toBe(5_000);
  });
});
