import type {
  DriftDetectedPayload,
  DriftResolvedPayload,
  ScheduleCreatedPayload,
  ScheduleDeletedPayload,
  ScheduledRunStartedPayload,
  SchedulePausedPayload,
  ScheduleResumedPayload,
  VersionRef,
} from '@evalvault/contracts';
import { assessDrift, type CaseScores, type OpenDrift } from './drift.js';
import { ScheduleError, ScheduleErrorCode } from './schedule.errors.js';
import { cronOf, dueSlot } from './schedule-slots.js';

/**
 * The schedule aggregate: Active ⇄ Paused → Deleted, the slots it started runs for, and its drift
 * episodes. Pure: time, ids and the runs' case scores come in with the commands. Starting a slot that is
 * not after the last one started yields nothing, so a scheduler that lost the race for a slot (its
 * append conflicted, it caught up and decided again) starts nothing.
 */
export type ScheduleEvent =
  | { type: 'ScheduleCreated'; payload: ScheduleCreatedPayload }
  | { type: 'SchedulePaused'; payload: SchedulePausedPayload }
  | { type: 'ScheduleResumed'; payload: ScheduleResumedPayload }
  | { type: 'ScheduleDeleted'; payload: ScheduleDeletedPayload }
  | { type: 'ScheduledRunStarted'; payload: ScheduledRunStartedPayload }
  | { type: 'DriftDetected'; payload: DriftDetectedPayload }
  | { type: 'DriftResolved'; payload: DriftResolvedPayload };

export type ScheduleCommand =
  | { type: 'CreateSchedule'; schedule: ScheduleCreatedPayload }
  | { type: 'PauseSchedule'; reason: string | null }
  | { type: 'ResumeSchedule'; now: number }
  | { type: 'DeleteSchedule' }
  /** Start the slot due at `now`, if any: `runId` is the run requested for it, `dataset` the version it runs. */
  | { type: 'StartSlot'; now: number; runId: string; dataset: VersionRef | null }
  /** Compare a finished scheduled run's case scores with the runs before it (see drift.ts). */
  | {
      type: 'AssessDrift';
      runId: string;
      current: CaseScores;
      /** The schedule's finished runs before this one, oldest first. */
      runIds: readonly string[];
      /** Case scores of the last N of them and of open episodes' baseline runs, by run id. */
      scores: Readonly<Record<string, CaseScores>>;
    };

export type ScheduleStatus = 'none' | 'active' | 'paused' | 'deleted';

export interface ScheduleState {
  status: ScheduleStatus;
  schedule: ScheduleCreatedPayload | null;
  /** Slots up to this time (epoch ms) are never started: creation, resumption, or the last slot started. */
  notBefore: number;
  /** Runs requested by the schedule, oldest first (a slot without a dataset version to run requests none). */
  runIds: string[];
  /** Metrics drifting now, with the baseline (runs and mean) their drift was detected against. */
  openDrifts: Readonly<Record<string, OpenDrift>>;
}

export const initialScheduleState: ScheduleState = {
  status: 'none',
  schedule: null,
  notBefore: 0,
  runIds: [],
  openDrifts: {},
};

export function decideSchedule(command: ScheduleCommand, state: ScheduleState): ScheduleEvent[] {
  if (command.type === 'CreateSchedule') {
    if (state.status !== 'none') throw new ScheduleError(ScheduleErrorCode.WrongState, 'schedule already exists');
    cronOf(command.schedule.cron, command.schedule.timeZone); // refuses a bad expression or zone, naming the field
    return [{ type: 'ScheduleCreated', payload: command.schedule }];
  }
  const schedule = state.schedule;
  if (!schedule || state.status === 'deleted')
    throw new ScheduleError(ScheduleErrorCode.NotFound, 'schedule not found');
  const { scheduleId } = schedule;
  switch (command.type) {
    case 'PauseSchedule':
      if (state.status === 'paused') return [];
      return [{ type: 'SchedulePaused', payload: { scheduleId, reason: command.reason } }];
    case 'ResumeSchedule':
      if (state.status === 'active') return [];
      return [{ type: 'ScheduleResumed', payload: { scheduleId, notBefore: command.now } }];
    case 'DeleteSchedule':
      return [{ type: 'ScheduleDeleted', payload: { scheduleId } }];
    case 'StartSlot': {
      if (state.status !== 'active') return [];
      const due = dueSlot(cronOf(schedule.cron, schedule.timeZone), state.notBefore, command.now);
      if (!due) return [];
      const { runId, dataset } = command;
      return [
        {
          type: 'ScheduledRunStarted',
          payload: { scheduleId, slot: due.slot, skippedSlots: due.skipped, runId, dataset },
        },
      ];
    }
    case 'AssessDrift':
      if (!state.runIds.includes(command.runId)) return [];
      return assessDrift({ ...command, schedule, open: state.openDrifts });
    default: {
      const unhandled: never = command;
      throw new Error(`unhandled schedule command ${(unhandled as ScheduleCommand).type}`);
    }
  }
}

export function evolveSchedule(state: ScheduleState, event: ScheduleEvent): ScheduleState {
  switch (event.type) {
    case 'ScheduleCreated':
      return { ...state, status: 'active', schedule: event.payload, notBefore: event.payload.notBefore };
    case 'SchedulePaused':
      return { ...state, status: 'paused' };
    case 'ScheduleResumed':
      return { ...state, status: 'active', notBefore: Math.max(state.notBefore, event.payload.notBefore) };
    case 'ScheduleDeleted':
      return { ...state, status: 'deleted' };
    case 'ScheduledRunStarted': {
      const { slot, runId, dataset } = event.payload;
      return { ...state, notBefore: slot, runIds: dataset ? [...state.runIds, runId] : state.runIds };
    }
    case 'DriftDetected': {
      const { metric, runId, baseline, baselineRunIds } = event.payload;
      return { ...state, openDrifts: { ...state.openDrifts, [metric]: { runId, baseline, baselineRunIds } } };
    }
    case 'DriftResolved': {
      const { [event.payload.metric]: _resolved, ...open } = state.openDrifts;
      return { ...state, openDrifts: open };
    }
    default: {
      const unhandled: never = event;
      throw new Error(`unhandled schedule event ${(unhandled as ScheduleEvent).type}`);
    }
  }
}

export function evolveScheduleWith(state: ScheduleState, events: readonly ScheduleEvent[]): ScheduleState {
  return events.reduce(evolveSchedule, state);
}
