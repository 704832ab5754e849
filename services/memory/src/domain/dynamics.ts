import type { MemoryPolicy } from '@evalvault/service-apis';
import { decayOf, type DecayStep, type FactKind, type FactStatus } from './fact.decider.js';
import { DAY_MS } from './memory-events.js';
import { normaliseText } from './memory-ids.js';

/**
 * Memory's dynamics as pure plans over a project's facts, its policy and the time: what a
 * maintenance pass should change. The service's scheduled job turns each entry into a command on
 * the fact's stream (DecayFact, ForgetFact, ConsolidateFacts + ForgetFact 'consolidated',
 * FlagFactConflict on both streams, ContradictFact) and the deciders keep it idempotent.
 */

/** A fact as maintenance looks at it (read model row, decrypted; or a FactState with its text). */
export interface FactSnapshot {
  factId: string;
  subject: string;
  predicate: string;
  object: string;
  status: FactStatus;
  kind: FactKind;
  score: number;
  verificationCount: number;
  proposedAt: number;
  lastVerifiedAt: number | null;
  /** End of the last decay period counted (FactDecayed.decayedThrough); null: none since the last verification. */
  decayedThrough: number | null;
  conflicts: readonly string[];
}

export interface DecayPlanEntry extends DecayStep {
  factId: string;
}
export interface ForgetPlanEntry {
  factId: string;
  reason: 'stale' | 'weak';
}
export interface ConsolidationPlanEntry {
  keptFactId: string;
  mergedFactIds: string[];
}
export interface ContradictionPlanEntry {
  factId: string;
  keptFactId: string;
  reason: 'verified' | 'better_verified';
}
export interface ConflictResolutionPlan {
  /** Pairs not yet flagged on both streams: append FactConflictFlagged on each. */
  flag: [string, string][];
  /** Resolved conflicts: the first fact becomes contradictory, the kept one stays. */
  contradict: ContradictionPlanEntry[];
}
export interface MaintenancePlan extends ConflictResolutionPlan {
  decay: DecayPlanEntry[];
  forget: ForgetPlanEntry[];
  consolidate: ConsolidationPlanEntry[];
}

const tokens = (text: string): Set<string> => new Set(normaliseText(text).match(/[\p{L}\p{N}]+/gu) ?? []);

/** Token-set Jaccard of two objects (normalised, words and numbers): |A ∩ B| / |A ∪ B|; two empty sets are 1. */
export function objectSimilarity(a: string, b: string): number {
  const [x, y] = [tokens(a), tokens(b)];
  if (x.size === 0 && y.size === 0) return 1;
  let shared = 0;
  for (const token of x) if (y.has(token)) shared += 1;
  return shared / (x.size + y.size - shared);
}

/** Order of "better verified": more verifications, then a higher score, then older. Negative: a first. */
export function betterVerified(a: FactSnapshot, b: FactSnapshot): number {
  return (
    b.verificationCount - a.verificationCount ||
    b.score - a.score ||
    a.proposedAt - b.proposedAt ||
    a.factId.localeCompare(b.factId)
  );
}

/** Strictly better verified: more verifications, or as many and a higher score. Age never breaks a conflict's tie. */
export function strictlyBetterVerified(a: FactSnapshot, b: FactSnapshot): boolean {
  return (
    a.verificationCount > b.verificationCount || (a.verificationCount === b.verificationCount && a.score > b.score)
  );
}

/** Whole periods without verification: score × factor^k, each period once (see decayOf). */
export function decayPlan(facts: readonly FactSnapshot[], policy: MemoryPolicy, now: number): DecayPlanEntry[] {
  return facts.flatMap((fact) => {
    const step = decayOf(fact, now, policy.decay.factor, policy.decay.periodDays);
    return step ? [{ factId: fact.factId, ...step }] : [];
  });
}

/** Age of a fact for forgetting: since the last verification, or the proposal. */
const ageOf = (fact: FactSnapshot, now: number): number => now - (fact.lastVerifiedAt ?? fact.proposedAt);

/**
 * Stale: older than maxAgeDays since the last verification (or proposal). Weak: fewer than
 * minVerificationCount verifications AND a score below minScore AND older than one decay period.
 * Strict comparisons: exactly maxAgeDays old is not stale, a score of exactly minScore is not weak.
 * Pass the scores after this pass's decay (planMaintenance does).
 */
export function forgettingPlan(facts: readonly FactSnapshot[], policy: MemoryPolicy, now: number): ForgetPlanEntry[] {
  const { maxAgeDays, minVerificationCount, minScore } = policy.forgetting;
  return facts.flatMap((fact): ForgetPlanEntry[] => {
    const age = ageOf(fact, now);
    if (age > maxAgeDays * DAY_MS) return [{ factId: fact.factId, reason: 'stale' }];
    const weak =
      fact.verificationCount < minVerificationCount && fact.score < minScore && age > policy.decay.periodDays * DAY_MS;
    return weak ? [{ factId: fact.factId, reason: 'weak' }] : [];
  });
}

/** Facts in consolidation and conflicts (not rejected, not contradictory), grouped by subject and predicate. */
function groups(facts: readonly FactSnapshot[]): FactSnapshot[][] {
  const bySubject = new Map<string, FactSnapshot[]>();
  for (const fact of facts) {
    if (fact.status === 'rejected' || fact.kind === 'contradictory') continue;
    const key = `${normaliseText(fact.subject)}\0${normaliseText(fact.predicate)}`;
    bySubject.set(key, [...(bySubject.get(key) ?? []), fact]);
  }
  return [...bySubject.values()].filter((group) => group.length > 1).map((group) => [...group].sort(betterVerified));
}

/**
 * Near-duplicates (same subject and predicate, objects' Jaccard ≥ consolidation.objectSimilarity)
 * merge into the better-verified (count, then score, then older). Each fact is merged at most
 * once; nothing when consolidation is disabled.
 */
export function consolidationPlan(facts: readonly FactSnapshot[], policy: MemoryPolicy): ConsolidationPlanEntry[] {
  if (!policy.consolidation.enabled) return [];
  const plan: ConsolidationPlanEntry[] = [];
  for (const members of groups(facts)) {
    const taken = new Set<string>();
    for (const kept of members) {
      if (taken.has(kept.factId)) continue;
      const merged = members.filter(
        (other) =>
          other !== kept &&
          !taken.has(other.factId) &&
          objectSimilarity(kept.object, other.object) >= policy.consolidation.objectSimilarity,
      );
      if (merged.length === 0) continue;
      taken.add(kept.factId);
      for (const other of merged) taken.add(other.factId);
      plan.push({ keptFactId: kept.factId, mergedFactIds: merged.map((other) => other.factId) });
    }
  }
  return plan;
}

/**
 * Conflicts: same subject and predicate, objects' Jaccard below objectSimilarity. Every such pair
 * not yet flagged on both sides is flagged; a pair is resolved when one is strictly better verified
 * (reason `verified` when the winner was verified and the other not, else `better_verified`): the
 * other becomes contradictory. Ties stay flagged. A fact contradicted here keeps nothing else out.
 */
export function conflictResolutionPlan(facts: readonly FactSnapshot[], policy: MemoryPolicy): ConflictResolutionPlan {
  const plan: ConflictResolutionPlan = { flag: [], contradict: [] };
  const similar = policy.consolidation.objectSimilarity;
  for (const members of groups(facts)) {
    const contradicted = new Set<string>();
    for (let i = 0; i < members.length; i++)
      for (let j = i + 1; j < members.length; j++) {
        const [a, b] = [members[i]!, members[j]!];
        if (objectSimilarity(a.object, b.object) >= similar) continue;
        if (!a.conflicts.includes(b.factId) || !b.conflicts.includes(a.factId)) plan.flag.push([a.factId, b.factId]);
        if (contradicted.has(a.factId) || contradicted.has(b.factId)) continue;
        // Sorted better first: only a can be strictly better.
        if (!strictlyBetterVerified(a, b)) continue;
        contradicted.add(b.factId);
        const reason = a.status === 'verified' && b.status !== 'verified' ? 'verified' : 'better_verified';
        plan.contradict.push({ factId: b.factId, keptFactId: a.factId, reason });
      }
  }
  return plan;
}

/**
 * One maintenance pass: decay first, then forgetting on the decayed scores, then consolidation
 * and conflicts among the facts still alive (merged facts take no part in conflicts).
 */
export function planMaintenance(facts: readonly FactSnapshot[], policy: MemoryPolicy, now: number): MaintenancePlan {
  const decay = decayPlan(facts, policy, now);
  const decayed = new Map(decay.map((entry) => [entry.factId, entry]));
  const current = facts.map((fact) => {
    const step = decayed.get(fact.factId);
    return step ? { ...fact, score: step.to, decayedThrough: step.decayedThrough } : fact;
  });
  const forget = forgettingPlan(current, policy, now);
  const forgotten = new Set(forget.map((entry) => entry.factId));
  const alive = current.filter((fact) => !forgotten.has(fact.factId));
  const consolidate = consolidationPlan(alive, policy);
  const merged = new Set(consolidate.flatMap((entry) => entry.mergedFactIds));
  const conflicts = conflictResolutionPlan(
    alive.filter((fact) => !merged.has(fact.factId)),
    policy,
  );
  return { decay, forget, consolidate, ...conflicts };
}
