import type { FactKind, FactStatus, MemoryPolicy } from '@evalvault/service-apis';

/**
 * Whether a fact may be used as knowledge (by a reader asking for `usable` facts), under the
 * project's policy: never a rejected or contradictory fact; a verified one (reviewed, or imported
 * as verified by an approver) always; a proposed inferred fact only when the policy's
 * `inferredUsableBeforeVerification` says so. Reviewers still see every fact: this is a filter
 * readers opt into, not a hiding of what awaits review.
 */
export function isFactUsable(fact: { status: FactStatus; kind: FactKind }, policy: MemoryPolicy): boolean {
  if (fact.status === 'rejected' || fact.kind === 'contradictory') return false;
  if (fact.status === 'verified' || fact.kind === 'verified') return true;
  return policy.inferredUsableBeforeVerification;
}

/**
 * The same rule as SQL over the facts table aliased `f`, for filtering in the database; `$n` is a
 * boolean parameter holding the policy's inferredUsableBeforeVerification. The integration test
 * checks that both agree.
 */
export const usableFactSql = (policyParam: number): string =>
  `(f.status <> 'rejected' AND f.kind <> 'contradictory'
    AND (f.status = 'verified' OR f.kind = 'verified' OR $${policyParam}::boolean))`;
