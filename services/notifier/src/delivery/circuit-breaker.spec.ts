import { CircuitBreaker } from './circuit-breaker.js';

describe('circuit breaker per destination', () => {
  const t0 = 1_000_000;

  it('opens after the threshold of consecutive failures and holds calls back until the cooldown ends', () => {
    const breaker = new CircuitBreaker({ threshold: 3, cooldownMs: 10_000 });
    breaker.failed('jira', t0);
    breaker.failed('jira', t0);
    expect(breaker.admit('jira', t0)).toEqual({ admitted: true });
    breaker.failed('jira', t0 + 5);
    expect(breaker.state('jira', t0 + 5)).toBe('open');
    expect(breaker.admit('jira', t0 + 9_000)).toEqual({ admitted: false, retryAt: t0 + 10_005 });
    expect(breaker.admit('slack', t0 + 9_000)).toEqual({ admitted: true }); // others are unaffected
  });

  it('lets one trial through when half-open: success closes it, failure opens it again', () => {
    const breaker = new CircuitBreaker({ threshold: 1, cooldownMs: 1_000 });
    breaker.failed('pd', t0);
    expect(breaker.state('pd', t0 + 1_000)).toBe('half-open');
    expect(breaker.admit('pd', t0 + 1_000)).toEqual({ admitted: true });
    expect(breaker.admit('pd', t0 + 1_001).admitted).toBe(false); // one trial at a time
    breaker.failed('pd', t0 + 1_100);
    expect(breaker.admit('pd', t0 + 1_200)).toEqual({ admitted: false, retryAt: t0 + 2_100 });
    expect(breaker.admit('pd', t0 + 2_100)).toEqual({ admitted: true });
    breaker.succeeded('pd');
    expect(breaker.state('pd', t0 + 2_100)).toBe('closed');
    expect(breaker.admit('pd', t0 + 2_100)).toEqual({ admitted: true });
  });

  it('forgets failures after a success', () => {
    const breaker = new CircuitBreaker({ threshold: 2, cooldownMs: 1_000 });
    breaker.failed('teams', t0);
    breaker.succeeded('teams');
    breaker.failed('teams', t0);
    expect(breaker.state('teams', t0)).toBe('closed');
  });
});
