import { FailedAuthLimiter } from './failed-auth-limiter.js';

describe('refused credentials per client address', () => {
  it('blocks an address after max refusals until its window passes, and keeps addresses apart', () => {
    let now = 1_000;
    const limiter = new FailedAuthLimiter(3, 60_000, () => now);
    for (let i = 0; i < 3; i++) {
      expect(limiter.blockedFor('10.0.0.1')).toBe(0);
      limiter.failed('10.0.0.1');
    }
    expect(limiter.blockedFor('10.0.0.1')).toBe(60_000);
    expect(limiter.blockedFor('10.0.0.2')).toBe(0);
    now += 59_000;
    expect(limiter.blockedFor('10.0.0.1')).toBe(1_000);
    now += 1_000;
    expect(limiter.blockedFor('10.0.0.1')).toBe(0);
  });
});
