import type { AuditRetentionChangedPayload } from '@evalvault/contracts';
import type { RetentionChange } from '@evalvault/service-apis';

/**
 * A tenant's audit retention: what a request to change it does, and what a purge removes. Pure:
 * the time, the id of the event that would record the change and the shortening delay come in
 * with the command; the policy comes from the repository.
 *
 * A retention not shorter than the one in force is in force at once. A shorter one needs a
 * reason and waits `shorteningDelayMs` (purges keep the longer one meanwhile); asking for it
 * again keeps its schedule, and it can be cancelled until it is due.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** A shortening asked for and not in force yet. Times in ms since the epoch. */
export interface ScheduledShortening {
  retentionDays: number;
  reason: string;
  requestedAt: number;
  /** From when purges use it. */
  effectiveAt: number;
  /** The AuditRetentionChanged that scheduled it (its audit entry names who asked). */
  eventId: string;
}

/** A tenant's retention: in force now (days; null: for ever) and a shortening that may be waiting. */
export interface TenantRetention {
  retentionDays: number | null;
  pending: ScheduledShortening | null;
}

export type RetentionCommand =
  | {
      type: 'SetRetention';
      retentionDays: number | null;
      /** Required (not blank) for a shortening; trimmed. */
      reason?: string | null;
      now: number;
      shorteningDelayMs: number;
      /** The id of the event that records the change, should there be one. */
      eventId: string;
    }
  | { type: 'CancelShortening'; reason?: string | null };

/** What a request does: the AuditRetentionChanged to record, and the policy it leaves. */
export interface RetentionDecision {
  change: RetentionChange;
  payload: AuditRetentionChangedPayload;
  policy: TenantRetention;
}

/** A retention request the caller got wrong (400) or that finds nothing to act on (404). */
export class RetentionRequestError extends Error {
  constructor(
    readonly code: 'INVALID_INPUT' | 'NOT_FOUND',
    message: string,
  ) {
    super(message);
    this.name = 'RetentionRequestError';
  }
}

/** The decision on a request, or null when it changes nothing (nothing is recorded then). */
export function decideRetention(command: RetentionCommand, policy: TenantRetention): RetentionDecision | null {
  switch (command.type) {
    case 'SetRetention':
      return decideSet(command, policy);
    case 'CancelShortening':
      if (policy.pending === null)
        throw new RetentionRequestError('NOT_FOUND', 'no shortening of the audit retention is waiting');
      return cancellation(policy, reasonOf(command.reason));
    default: {
      const unhandled: never = command;
      throw new Error(`unhandled command ${JSON.stringify(unhandled)}`);
    }
  }
}

function decideSet(
  command: Extract<RetentionCommand, { type: 'SetRetention' }>,
  policy: TenantRetention,
): RetentionDecision | null {
  const { retentionDays: inForce, pending } = policy;
  const wanted = command.retentionDays;
  const reason = reasonOf(command.reason);
  if (wanted === null || !isShorter(wanted, inForce)) {
    if (wanted === inForce) return pending === null ? null : cancellation(policy, reason);
    return {
      change: 'applied',
      payload: { change: 'applied', fromDays: inForce, toDays: wanted, reason, effectiveAt: command.now },
      policy: { retentionDays: wanted, pending: null },
    };
  }
  if (!reason)
    throw new RetentionRequestError(
      'INVALID_INPUT',
      `shortening the audit retention from ${days(inForce)} to ${days(wanted)} needs a reason`,
    );
  // Asked again while it waits: the schedule stands (asking again never brings it forward).
  if (pending?.retentionDays === wanted) return null;
  const effectiveAt = command.now + command.shorteningDelayMs;
  return {
    change: 'shortening-scheduled',
    payload: { change: 'shortening-scheduled', fromDays: inForce, toDays: wanted, reason, effectiveAt },
    policy: {
      retentionDays: inForce,
      pending: { retentionDays: wanted, reason, requestedAt: command.now, effectiveAt, eventId: command.eventId },
    },
  };
}

function cancellation(policy: TenantRetention, reason: string | null): RetentionDecision {
  return {
    change: 'shortening-cancelled',
    payload: {
      change: 'shortening-cancelled',
      fromDays: policy.retentionDays,
      toDays: policy.pending?.retentionDays ?? null,
      reason,
      effectiveAt: null,
    },
    policy: { retentionDays: policy.retentionDays, pending: null },
  };
}

/** Shorter means purging earlier: any number of days is shorter than for ever (null). */
const isShorter = (wanted: number, inForce: number | null): boolean => inForce === null || wanted < inForce;
const reasonOf = (reason: string | null | undefined): string | null => reason?.trim() || null;
const days = (value: number | null): string => (value === null ? 'for ever' : `${value} days`);

/** Events older than this (ms since the epoch) may be purged at `now`; null: nothing is (kept for ever). */
export function purgeCutoff(retentionDays: number | null, now: number): number | null {
  return retentionDays ? now - retentionDays * DAY_MS : null;
}

/** Where a tenant's chain stands when a purge starts (seqs). */
export interface ChainBounds {
  headSeq: number;
  /** The last entry purged so far (0: none). */
  anchoredSeq: number;
  /** The first entry whose event is not older than the cutoff; null: none is. */
  firstKeptSeq: number | null;
}

/**
 * The last seq a purge removes, or null for nothing: the longest prefix of the chain before the
 * first entry kept. Only a prefix, so the rest of the chain stays linked; an old entry that
 * arrived after a younger one waits for a later purge.
 */
export function prefixToPurge(chain: ChainBounds): number | null {
  const through = chain.firstKeptSeq !== null ? chain.firstKeptSeq - 1 : chain.headSeq;
  return through > chain.anchoredSeq ? through : null;
}
