import type { MemoryPolicy } from '@evalvault/service-apis';
import { DAY_MS } from './memory-events.js';

/** A behaviour as maintenance looks at it (read model row). */
export interface BehaviourSnapshot {
  behaviourId: string;
  successRate: number;
  useCount: number;
  recordedAt: number;
  /** The last use observed (recording counts as one). */
  lastUsedAt: number;
}

export interface BehaviourForgetPlanEntry {
  behaviourId: string;
  reason: 'stale' | 'weak';
}

/**
 * Forgetting of behaviours, with the facts' policy (`forgetting`, `decay.periodDays`): stale when
 * not used for strictly more than maxAgeDays; weak when its success rate is strictly below
 * minScore and it was recorded more than one decay period ago (a young behaviour gets time to
 * prove itself, as a young fact does). A behaviour's score is what its uses show, so it has no
 * decay of its own: time without use is what staleness measures.
 */
export function behaviourForgettingPlan(
  behaviours: readonly BehaviourSnapshot[],
  policy: MemoryPolicy,
  now: number,
): BehaviourForgetPlanEntry[] {
  const { maxAgeDays, minScore } = policy.forgetting;
  return behaviours.flatMap((behaviour): BehaviourForgetPlanEntry[] => {
    if (now - behaviour.lastUsedAt > maxAgeDays * DAY_MS)
      return [{ behaviourId: behaviour.behaviourId, reason: 'stale' }];
    const weak = behaviour.successRate < minScore && now - behaviour.recordedAt > policy.decay.periodDays * DAY_MS;
    return weak ? [{ behaviourId: behaviour.behaviourId, reason: 'weak' }] : [];
  });
}
