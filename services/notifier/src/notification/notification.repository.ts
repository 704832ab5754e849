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

export type NotificationRepository = EventSourcedRepository<NotificationCommand, NotificationEvent, NotificationState>;
export type RouteRepository = EventSourcedRepository<RouteCommand, RouteEvent, RouteState>;

export function notificationRepository(store: EventStore, sources: EnvelopeSources): NotificationRepository {
  return new EventSourcedRepository(
    store,
    { decide: decideNotification, evolveWith: evolveNotificationWith, initialState: initialNotificationState },
    sources,
  );
}

export function routeRepository(store: EventStore, sources: EnvelopeSources): RouteRepository {
  return new EventSourcedRepository(
    store,
    { decide: decideRoute, evolveWith: evolveRouteWith, initialState: initialRouteState },
    sources,
  );
}
