import type { MemoryPolicy } from '@evalvault/service-apis';
import { decayOf, initialFactState } from './memory-deciders.js';
import { normalise } from './memory-ids.js';

const DAY_MS = 86_400_000;

/** A fact as maintenance looks at it (from the read model). */
export interface FactSnapshot {
  factId: string;
  subject: string;
  predicate: string;
  object: string;
  status: 'proposed' | 'verified' | 'rejected';
  kind: 'inferred' | 'verified' | 'contradictory';
  score: number;
  verificationCount: number;
  proposedAt: number;
  lastVerifiedAt: number | null;
  decayedThrough: number | null;
  conflicts: string[];
}

export interface MaintenancePlan {
  decay: string[];
  forget: { factId: string; reason: 'stale' | 'weak' }[];
  consolidate: { keptFactId: string; mergedFactIds: string[] }[];
  flag: [string, string][];
  contradict: { factId: string; keptFactId: string }[];
}

export function objectSimilarity(a: string, b: string): number {
  const tokens = (text: string) => new Set(normalise(text).match(/[\p{L}\p{N}]+/gu) ?? []);
  const [x, y] = [tokens(a), tokens(b)];
  if (x.size === 0 && y.size === 0) return 1;
  let shared = 0;
  for (const token of x) if (y.has(token)) shared += 1;
  return shared / (x.size + y.size - shared);
}

/** Better verified: more verifications, then a higher score, then older. Negative: a is better. */
export function betterVerified(a: FactSnapshot, b: FactSnapshot): number {
  return b.verificationCount - a.verificationCount || b.score - a.score || a.proposedAt - b.proposedAt;
}
const strictlyBetter = (a: FactSnapshot, b: FactSnapshot): boolean =>
  a.verificationCount > b.verificationCount || (a.verificationCount === b.verificationCount && a.score > b.score);

/**
 * One maintenance pass as policy says, over a project's facts at `now`: decay for whole periods
 * without verification; forgetting of stale (older than maxAgeDays since the last verification or
 * proposal) and weak facts (too few verifications, too low a score, older than one decay period);
 * consolidation of near-duplicates (same subject and predicate, objects' token Jaccard at least
 * objectSimilarity) into the better-verified; and conflicts (same subject and predicate, dissimilar
 * objects) flagged, and resolved where one is strictly better verified (ties stay flagged).
 */
export function planMaintenance(facts: readonly FactSnapshot[], policy: MemoryPolicy, now: number): MaintenancePlan {
  const plan: MaintenancePlan = { decay: [], forget: [], consolidate: [], flag: [], contradict: [] };
  const alive: FactSnapshot[] = [];
  for (const fact of facts) {
    const decay = decayOf(
      { ...initialFactState, exists: true, ...fact },
      now,
      policy.decay.factor,
      policy.decay.periodDays,
    );
    const score = decay ? decay.to : fact.score;
    if (decay) plan.decay.push(fact.factId);
    const age = now - (fact.lastVerifiedAt ?? fact.proposedAt);
    if (age > policy.forgetting.maxAgeDays * DAY_MS) {
      plan.forget.push({ factId: fact.factId, reason: 'stale' });
      continue;
    }
    if (
      fact.verificationCount < policy.forgetting.minVerificationCount &&
      score < policy.forgetting.minScore &&
      age > policy.decay.periodDays * DAY_MS
    ) {
      plan.forget.push({ factId: fact.factId, reason: 'weak' });
      continue;
    }
    alive.push({ ...fact, score });
  }

  const groups = new Map<string, FactSnapshot[]>();
  for (const fact of alive) {
    if (fact.status === 'rejected' || fact.kind === 'contradictory') continue;
    const key = `${normalise(fact.subject)}\0${normalise(fact.predicate)}`;
    groups.set(key, [...(groups.get(key) ?? []), fact]);
  }
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const members = [...group].sort(betterVerified);
    const merged = new Set<string>();
    if (policy.consolidation.enabled) {
      for (const kept of members) {
        if (merged.has(kept.factId)) continue;
        const into = members.filter(
          (other) =>
            other !== kept &&
            !merged.has(other.factId) &&
            objectSimilarity(kept.object, other.object) >= policy.consolidation.objectSimilarity,
        );
        if (into.length === 0) continue;
        into.forEach((other) => merged.add(other.factId));
        merged.add(kept.factId);
        plan.consolidate.push({ keptFactId: kept.factId, mergedFactIds: into.map((other) => other.factId) });
      }
    }
    const remaining = members.filter((fact) => !plan.consolidate.some((c) => c.mergedFactIds.includes(fact.factId)));
    const contradicted = new Set<string>();
    for (let i = 0; i < remaining.length; i++)
      for (let j = i + 1; j < remaining.length; j++) {
        const [a, b] = [remaining[i]!, remaining[j]!];
        if (objectSimilarity(a.object, b.object) >= policy.consolidation.objectSimilarity) continue;
        if (!a.conflicts.includes(b.factId) || !b.conflicts.includes(a.factId)) plan.flag.push([a.factId, b.factId]);
        if (contradicted.has(a.factId) || contradicted.has(b.factId)) continue;
        if (strictlyBetter(a, b)) {
          plan.contradict.push({ factId: b.factId, keptFactId: a.factId });
          contradicted.add(b.factId);
        } else if (strictlyBetter(b, a)) {
          plan.contradict.push({ factId: a.factId, keptFactId: b.factId });
          contradicted.add(a.factId);
        }
      }
  }
  return plan;
}
