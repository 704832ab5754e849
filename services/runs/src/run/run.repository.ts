import { EventSourcedRepository, type EnvelopeSources, type EventStore } from '@evalvault/platform';
import {
  decideRun,
  evolveRunWith,
  initialRunState,
  type RunCommand,
  type RunEvent,
  type RunState,
} from './run.decider.js';

export type RunRepository = EventSourcedRepository<RunCommand, RunEvent, RunState>;

export const runStreamId = (runId: string): string => `run-${runId}`;
export const batchStreamId = (runId: string, batchNo: number): string => `runbatch-${runId}-${batchNo}`;

/** Streams the runs service owns, and so relays. */
export const RUNS_STREAM_PREFIXES = ['run-', 'runbatch-'] as const;

export function runRepository(store: EventStore, sources: EnvelopeSources): RunRepository {
  return new EventSourcedRepository(
    store,
    { decide: decideRun, evolveWith: evolveRunWith, initialState: initialRunState },
    sources,
  );
}
