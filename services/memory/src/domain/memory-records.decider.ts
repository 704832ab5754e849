import type { MemoryEntryRef, MemoryMaintenanceCompletedPayload } from '@evalvault/contracts';
import type { Decided } from './memory-events.js';
import { domainInvalidInput } from './memory-domain.errors.js';

// ---- deletion requests (`memorydeletion-<requestId>`) ----------------------------------------

export type DeletionTarget = 'subject' | 'document';

export type DeletionCommand = {
  type: 'RequestDeletion';
  requestId: string;
  target: DeletionTarget;
  /** sha256 hex of the normalised target (targetHashOf); the text is never kept. */
  targetHash: string;
  /** What it matched; each entry also gets its own FactForgotten / BehaviourForgotten. */
  entries: MemoryEntryRef[];
};
export type DeletionEvent = Decided<'MemoryDeletionRequested' | 'EntriesForgotten'>;
export interface DeletionState {
  exists: boolean;
}

/** A request is decided once: MemoryDeletionRequested, then the EntriesForgotten summary. */
export function decideDeletion(command: DeletionCommand, state: DeletionState): DeletionEvent[] {
  if (state.exists) return [];
  if (command.target !== 'subject' && command.target !== 'document')
    throw domainInvalidInput('target: subject or document');
  if (!/^[0-9a-f]{64}$/.test(command.targetHash)) throw domainInvalidInput('targetHash: sha256 hex');
  const { requestId, target, targetHash, entries } = command;
  return [
    { type: 'MemoryDeletionRequested', payload: { requestId, target, targetHash, matched: entries.length } },
    { type: 'EntriesForgotten', payload: { entries, reason: 'deletion_request', requestId } },
  ];
}

export const DELETION_DECIDER = {
  decide: decideDeletion,
  evolveWith: (state: DeletionState, events: readonly DeletionEvent[]): DeletionState =>
    events.length > 0 ? { exists: true } : state,
  initialState: { exists: false } as DeletionState,
};

// ---- maintenance passes (`memorymaintenance-<project hash>`) --------------------------------

export type MaintenanceCommand = {
  type: 'CompleteMaintenance';
  summary: MemoryMaintenanceCompletedPayload;
  forgotten: MemoryEntryRef[];
};
export type MaintenanceEvent = Decided<'MemoryMaintenanceCompleted' | 'EntriesForgotten'>;
export interface MaintenanceState {
  passes: number;
}

/** One MemoryMaintenanceCompleted per pass, after the EntriesForgotten summary when it forgot anything. */
export function decideMaintenance(command: MaintenanceCommand, _state: MaintenanceState): MaintenanceEvent[] {
  const counts = Object.entries(command.summary).filter(([, v]) => !Number.isInteger(v) || v < 0);
  if (counts.length > 0) throw domainInvalidInput(`maintenance summary: ${counts.map(([k]) => k).join(', ')}`);
  return [
    ...(command.forgotten.length > 0
      ? [
          {
            type: 'EntriesForgotten' as const,
            payload: { entries: command.forgotten, reason: 'maintenance', requestId: null },
          },
        ]
      : []),
    { type: 'MemoryMaintenanceCompleted', payload: command.summary },
  ];
}

export const MAINTENANCE_DECIDER = {
  decide: decideMaintenance,
  evolveWith: (state: MaintenanceState, events: readonly MaintenanceEvent[]): MaintenanceState => ({
    passes: state.passes + events.filter((e) => e.type === 'MemoryMaintenanceCompleted').length,
  }),
  initialState: { passes: 0 } as MaintenanceState,
};
