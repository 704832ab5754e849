import type { NotificationRouteCreatedPayload } from '@evalvault/contracts';
import { deciderSpec } from '@evalvault/platform/testing';
import { NotifierErrorCode } from '../notifier.errors.js';
import { decideRoute, evolveRouteWith, initialRouteState, type RouteEvent } from './route.decider.js';

const route = deciderSpec({
  decide: decideRoute,
  evolve: (state, event: RouteEvent) => evolveRouteWith(state, [event]),
  initialState: initialRouteState,
});
const definition: NotificationRouteCreatedPayload = {
  routeId: 'r-1',
  name: 'slack-alerts',
  on: ['GateFailed'],
  severity: 'error',
  destinationType: 'slack',
  destinationJson: JSON.stringify({
    type: 'slack',
    webhookUrlRef: 'env:EVALVAULT_SECRET_ACME__CHECKOUT__SLACK_WEBHOOK',
  }),
};
const created: RouteEvent = { type: 'NotificationRouteCreated', payload: definition };
const removed: RouteEvent = { type: 'NotificationRouteRemoved', payload: { routeId: 'r-1', name: 'slack-alerts' } };

describe('notification route', () => {
  it('is created once; the same request again changes nothing, other settings under the name conflict', () => {
    route.given([]).when({ type: 'CreateRoute', route: definition }).then([created]);
    route.given([created]).when({ type: 'CreateRoute', route: definition }).then([]);
    route
      .given([created])
      .when({ type: 'CreateRoute', route: { ...definition, severity: 'critical' } })
      .thenThrows(expect.objectContaining({ code: NotifierErrorCode.RouteConflict }));
  });

  it('is removed once, and may be created again under its name', () => {
    route.given([created]).when({ type: 'RemoveRoute' }).then([removed]);
    route
      .given([created, removed])
      .when({ type: 'RemoveRoute' })
      .thenThrows(expect.objectContaining({ code: NotifierErrorCode.RouteNotFound }));
    route
      .given([])
      .when({ type: 'RemoveRoute' })
      .thenThrows(expect.objectContaining({ code: NotifierErrorCode.RouteNotFound }));
    route
      .given([created, removed])
      .when({ type: 'CreateRoute', route: { ...definition, severity: 'warning' } })
      .then([{ type: 'NotificationRouteCreated', payload: { ...definition, severity: 'warning' } }]);
  });
});
