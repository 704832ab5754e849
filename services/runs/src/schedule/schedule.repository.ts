import { EventSourcedRepository, type EnvelopeSources, type EventStore } from '@evalvault/platform';
import {
  decideSchedule,
  evolveScheduleWith,
  initialScheduleState,
  type ScheduleCommand,
  type ScheduleEvent,
  type ScheduleState,
} from './schedule.decider.js';

/** Schedule aggregates in the event store (`schedule-<id>`), appended at the revision they were decided on. */
export class ScheduleRepository extends EventSourcedRepository<ScheduleCommand, ScheduleEvent, ScheduleState> {
  constructor(store: EventStore, sources: EnvelopeSources) {
    super(
      store,
      { decide: decideSchedule, evolveWith: evolveScheduleWith, initialState: initialScheduleState },
      sources,
    );
  }
}

export const SCHEDULE_STREAM_PREFIX = 'schedule-';
export const scheduleStreamId = (scheduleId: string): string => `${SCHEDULE_STREAM_PREFIX}${scheduleId}`;

/** Labels of a run a schedule requested: which schedule, which slot. */
export const SCHEDULE_LABEL = 'evalvault.schedule';
export const SCHEDULE_SLOT_LABEL = 'evalvault.scheduleSlot';
