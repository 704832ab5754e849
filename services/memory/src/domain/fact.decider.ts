import type { FactProposedPayload, MemorySource } from '@evalvault/contracts';
import { DAY_MS, isUnitScore, type Decided } from './memory-events.js';
import { domainConflict, domainInvalidInput, domainNotFound } from './memory-domain.errors.js';
import { newSources, sourceKey } from './memory-ids.js';

export type FactKind = 'inferred' | 'verified' | 'contradictory';
export type FactStatus = 'proposed' | 'verified' | 'rejected';
export type FactForgetReason = 'stale' | 'weak' | 'deletion_request' | 'consolidated';
export const FACT_FORGET_REASONS: readonly FactForgetReason[] = ['stale', 'weak', 'deletion_request', 'consolidated'];

/** One fact, folded from its stream (`memoryfact-<factId>`). Text is not here: it is sealed in the events. */
export interface FactState {
  exists: boolean;
  forgotten: boolean;
  forgottenReason: FactForgetReason | null;
  kind: FactKind;
  status: FactStatus;
  /** Verification score in [0, 1], after decay. */
  score: number;
  verificationCount: number;
  /** ms since the epoch; 0 before the proposal. */
  proposedAt: number;
  lastVerifiedAt: number | null;
  /** End of the last decay period counted; null: no decay since the last verification. */
  decayedThrough: number | null;
  /** sourceKey of every source, in order. */
  sources: string[];
  /** Facts this one is flagged as conflicting with, still unresolved. */
  conflicts: string[];
  /** Facts merged into this one by consolidation. */
  merged: string[];
}

export const initialFactState: FactState = {
  exists: false,
  forgotten: false,
  forgottenReason: null,
  kind: 'inferred',
  status: 'proposed',
  score: 0,
  verificationCount: 0,
  proposedAt: 0,
  lastVerifiedAt: null,
  decayedThrough: null,
  sources: [],
  conflicts: [],
  merged: [],
};

export type FactCommand =
  /** A triple formed from a run (or imported): a new fact, or support for the known one. */
  | { type: 'ProposeFact'; proposal: FactProposedPayload; at: number }
  | { type: 'SupportFact'; factId: string; sources: MemorySource[]; score: number }
  /** A reviewer (role checked at the gateway and the service) verifies. */
  | { type: 'VerifyFact'; factId: string; reason: string | null; at: number }
  | { type: 'RejectFact'; factId: string; reason: string }
  | { type: 'FlagFactConflict'; factId: string; conflictingFactId: string }
  | { type: 'ContradictFact'; factId: string; keptFactId: string; reason: string }
  | { type: 'DecayFact'; factId: string; at: number; factor: number; periodDays: number }
  | { type: 'ConsolidateFacts'; keptFactId: string; mergedFactIds: string[]; sources: MemorySource[] }
  | { type: 'ForgetFact'; factId: string; reason: FactForgetReason; requestId: string | null };

export type FactEvent = Decided<
  | 'FactProposed'
  | 'FactSupported'
  | 'FactVerified'
  | 'FactRejected'
  | 'FactConflictFlagged'
  | 'FactContradicted'
  | 'FactDecayed'
  | 'FactsConsolidated'
  | 'FactForgotten'
>;

export interface DecayStep {
  from: number;
  to: number;
  periods: number;
  decayedThrough: number;
}

/**
 * Decay for the whole periods (periodDays each) since the last verification, or the end of the
 * last decay, or the proposal: score × factor^k. A partial period is left for the next pass, so no
 * period is ever counted twice or lost. Null when no whole period passed (or nothing would change).
 */
export function decayOf(
  state: Pick<FactState, 'score' | 'decayedThrough' | 'lastVerifiedAt' | 'proposedAt'>,
  now: number,
  factor: number,
  periodDays: number,
): DecayStep | null {
  const since = state.decayedThrough ?? state.lastVerifiedAt ?? state.proposedAt;
  const periodMs = periodDays * DAY_MS;
  const periods = Math.floor((now - since) / periodMs);
  if (periods < 1 || state.score <= 0 || factor >= 1) return null;
  return {
    from: state.score,
    to: state.score * factor ** periods,
    periods,
    decayedThrough: since + periods * periodMs,
  };
}

function checkedProposal(proposal: FactProposedPayload): void {
  const problems: string[] = [];
  if (!/^[0-9a-f]{32}$/.test(proposal.factId)) problems.push('factId: 32 hex digits');
  if (!isUnitScore(proposal.verificationScore)) problems.push('verificationScore: a number from 0 to 1');
  if (proposal.kind !== 'inferred' && proposal.kind !== 'verified') problems.push('kind: inferred or verified');
  if (proposal.sealed.length === 0) problems.push('sealed: the sealed triple');
  if (proposal.sources.length === 0) problems.push('sources: at least one');
  if (problems.length > 0) throw domainInvalidInput(`invalid fact proposal: ${problems.join('; ')}`, problems);
}

/**
 * A fact's decisions. Proposing a known triple supports it (only with sources it does not have:
 * a redelivered run forms nothing twice); a forgotten fact stays forgotten (proposals and
 * maintenance are ignored, verify and reject answer not found); a rejected fact is never verified.
 */
export function decideFact(command: FactCommand, state: FactState): FactEvent[] {
  const gone = state.forgotten || !state.exists;
  switch (command.type) {
    case 'ProposeFact': {
      const proposal = command.proposal;
      if (state.forgotten) return [];
      if (!state.exists) {
        checkedProposal(proposal);
        return [{ type: 'FactProposed', payload: proposal, occurredAt: command.at }];
      }
      const sources = newSources(state.sources, proposal.sources);
      if (sources.length === 0) return [];
      if (!isUnitScore(proposal.verificationScore)) throw domainInvalidInput('score: a number from 0 to 1');
      return [
        { type: 'FactSupported', payload: { factId: proposal.factId, sources, score: proposal.verificationScore } },
      ];
    }
    case 'SupportFact': {
      if (state.forgotten) return [];
      if (!state.exists) throw domainNotFound(`fact ${command.factId}`);
      if (!isUnitScore(command.score)) throw domainInvalidInput('score: a number from 0 to 1');
      const sources = newSources(state.sources, command.sources);
      if (sources.length === 0) return [];
      return [{ type: 'FactSupported', payload: { factId: command.factId, sources, score: command.score } }];
    }
    case 'VerifyFact':
      if (gone) throw domainNotFound(`fact ${command.factId}`);
      if (state.status === 'rejected')
        throw domainConflict(`fact ${command.factId} was rejected; it cannot be verified`);
      return [
        {
          type: 'FactVerified',
          payload: {
            factId: command.factId,
            reason: command.reason,
            verificationScore: 1,
            verificationCount: state.verificationCount + 1,
          },
          occurredAt: command.at,
        },
      ];
    case 'RejectFact':
      if (gone) throw domainNotFound(`fact ${command.factId}`);
      if (command.reason.trim().length === 0) throw domainInvalidInput('reason: say why the fact is rejected');
      if (state.status === 'rejected') return [];
      return [{ type: 'FactRejected', payload: { factId: command.factId, reason: command.reason } }];
    case 'FlagFactConflict':
      if (command.conflictingFactId === command.factId) throw domainInvalidInput('a fact cannot conflict with itself');
      if (gone || state.kind === 'contradictory' || state.conflicts.includes(command.conflictingFactId)) return [];
      return [
        {
          type: 'FactConflictFlagged',
          payload: { factId: command.factId, conflictingFactId: command.conflictingFactId },
        },
      ];
    case 'ContradictFact':
      if (gone || state.kind === 'contradictory') return [];
      return [
        {
          type: 'FactContradicted',
          payload: { factId: command.factId, keptFactId: command.keptFactId, reason: command.reason },
        },
      ];
    case 'DecayFact': {
      if (gone) return [];
      const step = decayOf(state, command.at, command.factor, command.periodDays);
      return step
        ? [{ type: 'FactDecayed', payload: { factId: command.factId, ...step }, occurredAt: command.at }]
        : [];
    }
    case 'ConsolidateFacts': {
      if (gone) return [];
      const merged = [...new Set(command.mergedFactIds)].filter(
        (id) => id !== command.keptFactId && !state.merged.includes(id),
      );
      if (merged.length === 0) return [];
      return [
        {
          type: 'FactsConsolidated',
          payload: {
            keptFactId: command.keptFactId,
            mergedFactIds: merged,
            sources: newSources(state.sources, command.sources),
          },
        },
      ];
    }
    case 'ForgetFact':
      if (!FACT_FORGET_REASONS.includes(command.reason))
        throw domainInvalidInput(`reason: one of ${FACT_FORGET_REASONS.join(', ')}`);
      if (gone) return [];
      return [
        {
          type: 'FactForgotten',
          payload: { factId: command.factId, reason: command.reason, requestId: command.requestId },
        },
      ];
    default:
      return unreachable(command);
  }
}

/** Folds one event (stored, with its envelope, or as decided). */
export function evolveFact(state: FactState, event: FactEvent): FactState {
  const at = event.occurredAt;
  switch (event.type) {
    case 'FactProposed': {
      const p = event.payload;
      const verified = p.kind === 'verified';
      const proposedAt = at ?? state.proposedAt;
      return {
        ...state,
        exists: true,
        kind: verified ? 'verified' : 'inferred',
        status: verified ? 'verified' : 'proposed',
        score: p.verificationScore,
        verificationCount: verified ? 1 : 0,
        proposedAt,
        lastVerifiedAt: verified ? proposedAt : null,
        sources: p.sources.map(sourceKey),
      };
    }
    case 'FactSupported':
      return { ...state, sources: [...state.sources, ...event.payload.sources.map(sourceKey)] };
    case 'FactsConsolidated':
      return {
        ...state,
        sources: [...state.sources, ...event.payload.sources.map(sourceKey)],
        merged: [...state.merged, ...event.payload.mergedFactIds],
      };
    case 'FactVerified':
      return {
        ...state,
        kind: 'verified',
        status: 'verified',
        score: event.payload.verificationScore,
        verificationCount: event.payload.verificationCount,
        lastVerifiedAt: at ?? state.lastVerifiedAt,
        decayedThrough: null,
      };
    case 'FactRejected':
      return { ...state, status: 'rejected' };
    case 'FactConflictFlagged':
      return state.conflicts.includes(event.payload.conflictingFactId)
        ? state
        : { ...state, conflicts: [...state.conflicts, event.payload.conflictingFactId] };
    case 'FactContradicted':
      return {
        ...state,
        kind: 'contradictory',
        conflicts: state.conflicts.filter((id) => id !== event.payload.keptFactId),
      };
    case 'FactDecayed':
      return {
        ...state,
        score: event.payload.to,
        decayedThrough: event.payload.decayedThrough ?? at ?? state.decayedThrough,
      };
    case 'FactForgotten':
      return { ...state, forgotten: true, forgottenReason: event.payload.reason as FactForgetReason };
    default:
      return state;
  }
}

export function evolveFactWith(state: FactState, events: readonly FactEvent[]): FactState {
  return events.reduce(evolveFact, state);
}

/** For EventSourcedRepository: the fact stream's decider. */
export const FACT_DECIDER = { decide: decideFact, evolveWith: evolveFactWith, initialState: initialFactState };

function unreachable(command: never): never {
  throw new Error(`unknown fact command ${(command as { type: string }).type}`);
}
