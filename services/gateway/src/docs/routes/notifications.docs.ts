import type { RouteDoc, RouteKey } from '../route-doc.js';

const PROJECT = '/v1/projects/{project}';

export const NOTIFICATIONS_DOCS: Record<RouteKey, RouteDoc> = {
  [`POST ${PROJECT}/notification-routes`]: {
    summary: 'Create a notification route',
    description:
      'Sends `GateFailed`, `RunFailed` (and, to Slack and Teams, `GatePassed`) of this project to Jira, ' +
      'PagerDuty, Teams or Slack. The `destination` takes the fields of its `type` only, and secrets by ' +
      'reference (`…Ref`: `env:NAME` or `file:/path`, named after the tenant, project and destination kind). ' +
      "The destination's host must be on the notifier's `EVALVAULT_EGRESS_ALLOW` and the secret must resolve: " +
      'a route that could not deliver is refused (400, naming the field). 409: a route of that name exists. ' +
      'Setting up: docs/services/notifier.md.',
    success: { 201: 'Created: the route as stored' },
    errors: [409],
    example: {
      request: {
        name: 'team-channel',
        on: ['GateFailed', 'GatePassed'],
        destination: { type: 'slack', webhookUrlRef: 'env:EVALVAULT_SECRET_DEFAULT__DEFAULT__SLACK_WEBHOOK' },
      },
    },
  },
  [`GET ${PROJECT}/notification-routes`]: {
    summary: 'List notification routes',
    description: "The project's routes in force.",
    success: { 200: 'The routes' },
  },
  [`GET ${PROJECT}/notification-routes/{routeId}`]: {
    summary: 'Get a notification route',
    description: 'The route as stored: its events, severity and destination (secret references, never secrets).',
    success: { 200: 'The route' },
  },
  [`DELETE ${PROJECT}/notification-routes/{routeId}`]: {
    summary: 'Delete a notification route',
    description: 'No notification is intended for it from then on; those already intended are still delivered.',
    success: { 200: 'The route, deleted' },
  },
  [`GET ${PROJECT}/notifications`]: {
    summary: 'List deliveries',
    description:
      "The delivery log: each notification's route, trigger, status (`pending`, `delivered`, `failed`), " +
      'attempts, last error and the ticket or incident it made; filter by `status`, `routeId`, `runId`.',
    success: { 200: 'A page of notifications' },
  },
};
