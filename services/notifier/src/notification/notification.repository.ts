import type { EvalVaultEvent } from '@evalvault/contracts';
import { EventSourcedRepository, type EnvelopeSources, type EventStore } from '@evalvault/platform';
import {
  decideRoute,
  evolveRouteWith,
  initialRouteState,
  type RouteCommand,
  type RouteEvent,
  type RouteState,
} from '../routes/route.decider.js';
import {
  decideNotification,
  evolveNotificationWith,
  initialNotificationState,
  type NotificationCommand,
  type NotificationEvent,
  type NotificationState,
} from './notification.decider.js';

/** Notification aggregates in the event store, and the event that asked for each one. */
export class NotificationRepository extends EventSourcedRepository<
  NotificationCommand,
  NotificationEvent,
  NotificationState
> {
  constructor(
    private readonly events: EventStore,
    sources: EnvelopeSources,
  ) {
    super(
      events,
      { decide: decideNotification, evolveWith: evolveNotificationWith, initialState: initialNotificationState },
      sources,
    );
  }

  /**
   * The notification's first event, with its envelope: the tenant, project and correlation every
   * later event of the notification carries on, and the cause of its dead letter.
   */
  async intentEvent(streamId: string): Promise<EvalVaultEvent> {
    const [first] = await this.events.readStream(streamId, { maxCount: 1 });
    if (!first) throw new Error(`stream ${streamId} has no intent`);
    return first.event;
  }
}

export type RouteRepository = EventSourcedRepository<RouteCommand, RouteEvent, RouteState>;

export function notificationRepository(store: EventStore, sources: EnvelopeSources): NotificationRepository {
  return new NotificationRepository(store, sources);
}

export function routeRepository(store: EventStore, sources: EnvelopeSources): RouteRepository {
  return new EventSourcedRepository(
    store,
    { decide: decideRoute, evolveWith: evolveRouteWith, initialState: initialRouteState },
    sources,
  );
}
