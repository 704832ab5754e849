import type { NotificationRouteCreatedPayload, NotificationRouteRemovedPayload } from '@evalvault/contracts';
import { NotifierError, NotifierErrorCode } from '../notifier.errors.js';

/** A route's stream `notifroute-<routeId>`: created, removed, possibly created again under the same name. */
export type RouteEvent =
  | { type: 'NotificationRouteCreated'; payload: NotificationRouteCreatedPayload }
  | { type: 'NotificationRouteRemoved'; payload: NotificationRouteRemovedPayload };

export type RouteCommand = { type: 'CreateRoute'; route: NotificationRouteCreatedPayload } | { type: 'RemoveRoute' };

export interface RouteState {
  status: 'none' | 'active' | 'removed';
  route: NotificationRouteCreatedPayload | null;
}

export const initialRouteState: RouteState = { status: 'none', route: null };

/** Same name, same settings: the request was retried. */
function sameRoute(a: NotificationRouteCreatedPayload, b: NotificationRouteCreatedPayload): boolean {
  return a.severity === b.severity && a.destinationJson === b.destinationJson && a.on.join(',') === b.on.join(',');
}

export function decideRoute(command: RouteCommand, state: RouteState): RouteEvent[] {
  switch (command.type) {
    case 'CreateRoute': {
      if (state.status !== 'active') return [{ type: 'NotificationRouteCreated', payload: command.route }];
      if (sameRoute(state.route!, command.route)) return [];
      throw new NotifierError(
        NotifierErrorCode.RouteConflict,
        `a route named "${command.route.name}" already exists with other settings; delete it first`,
      );
    }
    case 'RemoveRoute': {
      if (state.status !== 'active') throw new NotifierError(NotifierErrorCode.RouteNotFound, 'route not found');
      return [
        { type: 'NotificationRouteRemoved', payload: { routeId: state.route!.routeId, name: state.route!.name } },
      ];
    }
    default: {
      const unhandled: never = command;
      throw new Error(`unhandled command ${JSON.stringify(unhandled)}`);
    }
  }
}

export function evolveRouteWith(state: RouteState, events: readonly RouteEvent[]): RouteState {
  let next = state;
  for (const event of events) {
    switch (event.type) {
      case 'NotificationRouteCreated':
        next = { status: 'active', route: event.payload };
        break;
      case 'NotificationRouteRemoved':
        next = { ...next, status: 'removed' };
        break;
      default: {
        const unhandled: never = event;
        throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
      }
    }
  }
  return next;
}
