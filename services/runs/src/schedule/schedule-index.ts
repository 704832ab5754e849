import { START, type EventStore, type Subscription } from '@evalvault/platform';
import { evolveSchedule, initialScheduleState, type ScheduleEvent, type ScheduleState } from './schedule.decider.js';
import { SCHEDULE_STREAM_PREFIX } from './schedule.repository.js';

export interface IndexedSchedule {
  tenantId: string;
  projectId: string;
  state: ScheduleState;
}

/**
 * Every schedule's state, followed from the event store's log: what a scheduler looks through at
 * each tick. Only a hint: a slot is started through the repository, which decides on the stream itself.
 */
export class ScheduleIndex {
  private readonly schedules = new Map<string, IndexedSchedule>();

  /** onError: the subscription stopped (the scheduler then starts no new schedule until the process restarts). */
  follow(store: EventStore, onError?: (error: Error) => void): Subscription {
    return store.subscribeAll(START, {
      filter: { streamPrefixes: [SCHEDULE_STREAM_PREFIX] },
      ...(onError ? { onError } : {}),
      handler: async ({ event, streamId }) => {
        const known = this.schedules.get(streamId);
        const state = evolveSchedule(known?.state ?? initialScheduleState, event as unknown as ScheduleEvent);
        if (state.status === 'deleted') this.schedules.delete(streamId);
        else this.schedules.set(streamId, { tenantId: event.tenantId, projectId: event.projectId, state });
      },
    });
  }

  active(): IndexedSchedule[] {
    return [...this.schedules.values()].filter((entry) => entry.state.status === 'active');
  }
}
