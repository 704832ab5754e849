import { describe, expect, it } from '@jest/globals';
import { behaviourForgettingPlan, type BehaviourSnapshot } from './behaviour-dynamics.js';
import { DAY_MS } from './memory-events.js';
import { DEFAULT_MEMORY_POLICY } from './memory-policy.js';

const NOW = Date.UTC(2026, 11, 5);
const days = (n: number) => NOW - n * DAY_MS;
const behaviour = (id: string, over: Partial<BehaviourSnapshot>): BehaviourSnapshot => ({
  behaviourId: id,
  successRate: 0.9,
  useCount: 10,
  recordedAt: days(100),
  lastUsedAt: days(1),
  ...over,
});

// Defaults: maxAgeDays 365, minScore 0.2, decay period 30 days.
describe('behaviour forgetting plan', () => {
  it('stale: strictly more than maxAgeDays since its last use', () => {
    const plan = behaviourForgettingPlan(
      [behaviour('old', { lastUsedAt: days(365) - 1 }), behaviour('edge', { lastUsedAt: days(365) })],
      DEFAULT_MEMORY_POLICY,
      NOW,
    );
    expect(plan).toEqual([{ behaviourId: 'old', reason: 'stale' }]);
  });

  it('weak: 1 success in 6 uses (0.1667) is below 0.2; 1 in 5 (exactly 0.2) is not', () => {
    const plan = behaviourForgettingPlan(
      [behaviour('one-in-six', { successRate: 1 / 6, useCount: 6 }), behaviour('one-in-five', { successRate: 0.2 })],
      DEFAULT_MEMORY_POLICY,
      NOW,
    );
    expect(plan).toEqual([{ behaviourId: 'one-in-six', reason: 'weak' }]);
  });

  it('a weak behaviour younger than one decay period is kept; the policy decides the bounds', () => {
    const young = behaviour('young', { successRate: 0.1, recordedAt: days(30) });
    expect(behaviourForgettingPlan([young], DEFAULT_MEMORY_POLICY, NOW)).toEqual([]);
    const shorter = { ...DEFAULT_MEMORY_POLICY, decay: { factor: 0.95, periodDays: 7 } };
    expect(behaviourForgettingPlan([young], shorter, NOW)).toEqual([{ behaviourId: 'young', reason: 'weak' }]);
    const stricter = {
      ...DEFAULT_MEMORY_POLICY,
      forgetting: { maxAgeDays: 10, minVerificationCount: 1, minScore: 0.2 },
    };
    const idle = behaviour('idle', { lastUsedAt: days(11) });
    expect(behaviourForgettingPlan([idle], stricter, NOW)).toEqual([{ behaviourId: 'idle', reason: 'stale' }]);
  });
});
