import type {
  BehaviourRecordedPayload,
  EvalVaultEvent,
  EventOfType,
  FactProposedPayload,
  LearningUpdatedPayload,
  MemoryEntryRef,
  MemoryMaintenanceCompletedPayload,
  MemorySource,
} from '@evalvault/contracts';
import type { MemoryPolicy } from '@evalvault/service-apis';
import type { EventSourcedDecider } from '@evalvault/platform';
import { MemoryError, MemoryErrorCode } from '../api/memory-errors.js';
import { policyFromJson } from './memory-policy.js';

/** A domain event as a decider makes it: the type and its payload, no envelope yet. */
type Decided<T extends EvalVaultEvent['type']> = T extends EvalVaultEvent['type']
  ? { type: T; payload: EventOfType<T>['payload'] }
  : never;

const DAY_MS = 86_400_000;
export const sourceKey = (source: MemorySource): string => `${source.kind}:${source.id}`;
const newSources = (known: readonly string[], sources: readonly MemorySource[]): MemorySource[] => {
  const seen = new Set(known);
  return sources.filter((source) => {
    const key = sourceKey(source);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
};

// ---- facts ----------------------------------------------------------------------------------

export interface FactState {
  exists: boolean;
  forgotten: boolean;
  kind: 'inferred' | 'verified' | 'contradictory';
  status: 'proposed' | 'verified' | 'rejected';
  score: number;
  verificationCount: number;
  proposedAt: number;
  lastVerifiedAt: number | null;
  /** The end of the last decay period counted (null: none yet). */
  decayedThrough: number | null;
  sources: string[];
  conflicts: string[];
}

export const initialFactState: FactState = {
  exists: false,
  forgotten: false,
  kind: 'inferred',
  status: 'proposed',
  score: 0,
  verificationCount: 0,
  proposedAt: 0,
  lastVerifiedAt: null,
  decayedThrough: null,
  sources: [],
  conflicts: [],
};

export type FactCommand =
  | { type: 'Propose'; proposal: FactProposedPayload }
  | { type: 'Support'; factId: string; sources: MemorySource[]; score: number }
  | { type: 'Verify'; factId: string; reason: string | null }
  | { type: 'Reject'; factId: string; reason: string }
  | { type: 'FlagConflict'; factId: string; conflictingFactId: string }
  | { type: 'Contradict'; factId: string; keptFactId: string; reason: string }
  | { type: 'Decay'; factId: string; now: number; factor: number; periodDays: number }
  | { type: 'Consolidate'; keptFactId: string; mergedFactIds: string[]; sources: MemorySource[] }
  | { type: 'Forget'; factId: string; reason: string; requestId: string | null };

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

const gone = (factId: string) => new MemoryError(MemoryErrorCode.NotFound, `fact ${factId} not found`);

/** Decay: score × factor^k for the k whole periods since the last verification (or proposal, or last decay). */
export function decayOf(state: FactState, now: number, factor: number, periodDays: number) {
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

export function decideFact(command: FactCommand, state: FactState): FactEvent[] {
  if (state.forgotten) {
    if (command.type === 'Verify' || command.type === 'Reject') throw gone(command.factId);
    return [];
  }
  switch (command.type) {
    case 'Propose': {
      const proposal = command.proposal;
      if (!state.exists) return [{ type: 'FactProposed', payload: proposal }];
      const sources = newSources(state.sources, proposal.sources);
      return sources.length === 0
        ? []
        : [{ type: 'FactSupported', payload: { factId: proposal.factId, sources, score: proposal.verificationScore } }];
    }
    case 'Support': {
      const sources = newSources(state.sources, command.sources);
      if (!state.exists || sources.length === 0) return [];
      return [{ type: 'FactSupported', payload: { factId: command.factId, sources, score: command.score } }];
    }
    case 'Verify':
      if (!state.exists) throw gone(command.factId);
      return [
        {
          type: 'FactVerified',
          payload: {
            factId: command.factId,
            reason: command.reason,
            verificationScore: 1,
            verificationCount: state.verificationCount + 1,
          },
        },
      ];
    case 'Reject':
      if (!state.exists) throw gone(command.factId);
      if (state.status === 'rejected') return [];
      return [{ type: 'FactRejected', payload: { factId: command.factId, reason: command.reason } }];
    case 'FlagConflict':
      if (!state.exists || state.conflicts.includes(command.conflictingFactId)) return [];
      return [
        {
          type: 'FactConflictFlagged',
          payload: { factId: command.factId, conflictingFactId: command.conflictingFactId },
        },
      ];
    case 'Contradict':
      if (!state.exists || state.kind === 'contradictory') return [];
      return [
        {
          type: 'FactContradicted',
          payload: { factId: command.factId, keptFactId: command.keptFactId, reason: command.reason },
        },
      ];
    case 'Decay': {
      if (!state.exists) return [];
      const decay = decayOf(state, command.now, command.factor, command.periodDays);
      return decay ? [{ type: 'FactDecayed', payload: { factId: command.factId, ...decay } }] : [];
    }
    case 'Consolidate': {
      if (!state.exists || command.mergedFactIds.length === 0) return [];
      const sources = newSources(state.sources, command.sources);
      return [
        {
          type: 'FactsConsolidated',
          payload: { keptFactId: command.keptFactId, mergedFactIds: command.mergedFactIds, sources },
        },
      ];
    }
    case 'Forget':
      if (!state.exists) return [];
      return [
        {
          type: 'FactForgotten',
          payload: { factId: command.factId, reason: command.reason, requestId: command.requestId },
        },
      ];
  }
}

export function evolveFact(state: FactState, event: EvalVaultEvent | FactEvent): FactState {
  const at = 'occurredAt' in event ? event.occurredAt : Date.now();
  switch (event.type) {
    case 'FactProposed': {
      const p = event.payload;
      const verified = p.kind === 'verified';
      return {
        ...state,
        exists: true,
        kind: verified ? 'verified' : 'inferred',
        status: verified ? 'verified' : 'proposed',
        score: p.verificationScore,
        verificationCount: verified ? 1 : 0,
        proposedAt: at,
        lastVerifiedAt: verified ? at : null,
        sources: p.sources.map(sourceKey),
      };
    }
    case 'FactSupported':
    case 'FactsConsolidated':
      return { ...state, sources: [...state.sources, ...event.payload.sources.map(sourceKey)] };
    case 'FactVerified':
      return {
        ...state,
        kind: 'verified',
        status: 'verified',
        score: event.payload.verificationScore,
        verificationCount: event.payload.verificationCount,
        lastVerifiedAt: at,
        decayedThrough: null,
      };
    case 'FactRejected':
      return { ...state, status: 'rejected' };
    case 'FactConflictFlagged':
      return { ...state, conflicts: [...state.conflicts, event.payload.conflictingFactId] };
    case 'FactContradicted':
      return {
        ...state,
        kind: 'contradictory',
        conflicts: state.conflicts.filter((id) => id !== event.payload.keptFactId),
      };
    case 'FactDecayed':
      return { ...state, score: event.payload.to, decayedThrough: event.payload.decayedThrough ?? at };
    case 'FactForgotten':
      return { ...state, forgotten: true };
    default:
      return state;
  }
}

export const FACT_DECIDER: EventSourcedDecider<FactCommand, FactEvent, FactState> = {
  decide: decideFact,
  evolveWith: (state, events) => events.reduce(evolveFact, state),
  initialState: initialFactState,
};

// ---- behaviours -----------------------------------------------------------------------------

export interface BehaviourState {
  exists: boolean;
  forgotten: boolean;
  sources: string[];
}
export type BehaviourCommand =
  | { type: 'Record'; recorded: BehaviourRecordedPayload; succeeded: boolean }
  | { type: 'Forget'; behaviourId: string; reason: string; requestId: string | null };
export type BehaviourEvent = Decided<'BehaviourRecorded' | 'BehaviourObserved' | 'BehaviourForgotten'>;

export const BEHAVIOUR_DECIDER: EventSourcedDecider<BehaviourCommand, BehaviourEvent, BehaviourState> = {
  decide(command, state) {
    if (state.forgotten) return [];
    if (command.type === 'Forget')
      return state.exists
        ? [
            {
              type: 'BehaviourForgotten',
              payload: { behaviourId: command.behaviourId, reason: command.reason, requestId: command.requestId },
            },
          ]
        : [];
    const recorded = command.recorded;
    // A behaviour is learned from a case that went well; a case that did not only counts against one that exists.
    if (!state.exists) return command.succeeded ? [{ type: 'BehaviourRecorded', payload: recorded }] : [];
    return newSources(state.sources, recorded.sources).map((source) => ({
      type: 'BehaviourObserved' as const,
      payload: {
        behaviourId: recorded.behaviourId,
        succeeded: command.succeeded,
        tokensSaved: recorded.tokensSaved,
        source,
      },
    }));
  },
  evolveWith: (state, events) =>
    events.reduce<BehaviourState>((s, event) => {
      if (event.type === 'BehaviourRecorded')
        return { ...s, exists: true, sources: event.payload.sources.map(sourceKey) };
      if (event.type === 'BehaviourObserved') return { ...s, sources: [...s.sources, sourceKey(event.payload.source)] };
      if (event.type === 'BehaviourForgotten') return { ...s, forgotten: true };
      return s;
    }, state),
  initialState: { exists: false, forgotten: false, sources: [] },
};

// ---- learnings ------------------------------------------------------------------------------

export interface LearningState {
  learning: LearningUpdatedPayload | null;
  runs: string[];
}
export type LearningCommand = { type: 'Update'; learning: LearningUpdatedPayload };
export type LearningEvent = Decided<'LearningUpdated'>;

export const LEARNING_DECIDER: EventSourcedDecider<LearningCommand, LearningEvent, LearningState> = {
  decide: (command, state) =>
    state.runs.includes(command.learning.runId) ? [] : [{ type: 'LearningUpdated', payload: command.learning }],
  evolveWith: (state, events) =>
    events.reduce<LearningState>(
      (s, event) =>
        event.type === 'LearningUpdated' ? { learning: event.payload, runs: [...s.runs, event.payload.runId] } : s,
      state,
    ),
  initialState: { learning: null, runs: [] },
};

// ---- policy ---------------------------------------------------------------------------------

export interface PolicyState {
  version: number;
  policy: MemoryPolicy | null;
}
export type PolicyCommand = { type: 'Set'; policy: MemoryPolicy };
export type PolicyEvent = Decided<'MemoryPolicyChanged'>;

export const POLICY_DECIDER: EventSourcedDecider<PolicyCommand, PolicyEvent, PolicyState> = {
  decide(command, state) {
    if (state.policy && JSON.stringify(state.policy) === JSON.stringify(command.policy)) return [];
    return [
      {
        type: 'MemoryPolicyChanged',
        payload: { policyJson: JSON.stringify({ ...command.policy, version: state.version + 1 }) },
      },
    ];
  },
  evolveWith: (state, events) =>
    events.reduce<PolicyState>((s, event) => {
      if (event.type !== 'MemoryPolicyChanged') return s;
      const { policy, version } = policyFromJson(event.payload.policyJson);
      return { policy, version };
    }, state),
  initialState: { version: 0, policy: null },
};

// ---- deletion requests and maintenance passes ------------------------------------------------

export type DeletionCommand = {
  type: 'Request';
  requestId: string;
  target: 'subject' | 'document';
  targetHash: string;
  entries: MemoryEntryRef[];
};
export type DeletionEvent = Decided<'MemoryDeletionRequested' | 'EntriesForgotten'>;

export const DELETION_DECIDER: EventSourcedDecider<DeletionCommand, DeletionEvent, { exists: boolean }> = {
  decide: (command, state) =>
    state.exists
      ? []
      : [
          {
            type: 'MemoryDeletionRequested',
            payload: {
              requestId: command.requestId,
              target: command.target,
              targetHash: command.targetHash,
              matched: command.entries.length,
            },
          },
          {
            type: 'EntriesForgotten',
            payload: { entries: command.entries, reason: 'deletion_request', requestId: command.requestId },
          },
        ],
  evolveWith: (state, events) => (events.length > 0 ? { exists: true } : state),
  initialState: { exists: false },
};

export type MaintenanceCommand = {
  type: 'Complete';
  summary: MemoryMaintenanceCompletedPayload;
  forgotten: MemoryEntryRef[];
};
export type MaintenanceEvent = Decided<'MemoryMaintenanceCompleted' | 'EntriesForgotten'>;

/** One MemoryMaintenanceCompleted per pass (after the EntriesForgotten summary when it forgot anything). */
export const MAINTENANCE_DECIDER: EventSourcedDecider<MaintenanceCommand, MaintenanceEvent, null> = {
  decide: (command) => [
    ...(command.forgotten.length > 0
      ? [
          {
            type: 'EntriesForgotten' as const,
            payload: { entries: command.forgotten, reason: 'maintenance', requestId: null },
          },
        ]
      : []),
    { type: 'MemoryMaintenanceCompleted', payload: command.summary },
  ],
  evolveWith: (state) => state,
  initialState: null,
};
