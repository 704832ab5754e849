/** JSON Schemas of the notification routes: validation (unknown fields refused) and the OpenAPI document. */
import {
  DESTINATION_TYPES,
  EXPORT_DESTINATION_TYPES,
  NOTIFICATION_SEVERITIES,
  NOTIFICATION_STATUSES,
  NOTIFICATION_TRIGGERS,
} from '@evalvault/service-apis';
import { ID_SCHEMA as id, PROJECT_PARAMS } from '../http/common-schemas.js';

export { PROJECT_PARAMS };

const SECRET_REF = {
  type: 'string',
  minLength: 5,
  maxLength: 500,
  pattern: '^(env:[A-Za-z_][A-Za-z0-9_]*|file:/.+)$',
  description: 'Names a secret (env:NAME or file:/absolute/path), never holds it.',
} as const;
const URL = {
  type: 'string',
  minLength: 8,
  maxLength: 2_000,
  pattern: '^https?://',
  description: 'Its host must be on the egress allow-list (EVALVAULT_EGRESS_ALLOW).',
} as const;
const TRIGGERS = {
  type: 'array',
  minItems: 1,
  maxItems: 3,
  uniqueItems: true,
  items: { type: 'string', enum: [...NOTIFICATION_TRIGGERS] },
} as const;
const SEVERITY = { type: 'string', enum: [...NOTIFICATION_SEVERITIES] } as const;

const JIRA = {
  type: 'object',
  required: ['type', 'baseUrl', 'projectKey', 'issueType', 'tokenRef'],
  properties: {
    type: { type: 'string', enum: ['jira'] },
    baseUrl: URL,
    projectKey: { type: 'string', pattern: '^[A-Z][A-Z0-9_]{0,49}$' },
    issueType: { type: 'string', minLength: 1, maxLength: 100 },
    emailRef: { anyOf: [SECRET_REF, { type: 'null' }] },
    tokenRef: SECRET_REF,
    // The transition that closes the route's issues when the gate passes again; default: the first to done.
    resolveTransition: { anyOf: [{ type: 'string', minLength: 1, maxLength: 255 }, { type: 'null' }] },
  },
  additionalProperties: false,
} as const;
const PAGERDUTY = {
  type: 'object',
  required: ['type', 'routingKeyRef'],
  properties: {
    type: { type: 'string', enum: ['pagerduty'] },
    routingKeyRef: SECRET_REF,
    eventsUrl: { anyOf: [URL, { type: 'null' }] },
  },
  additionalProperties: false,
} as const;
const WEBHOOK = (type: 'teams' | 'slack') =>
  ({
    type: 'object',
    required: ['type', 'webhookUrlRef'],
    properties: { type: { type: 'string', enum: [type] }, webhookUrlRef: SECRET_REF },
    additionalProperties: false,
  }) as const;
const DESTINATION = { oneOf: [JIRA, PAGERDUTY, WEBHOOK('teams'), WEBHOOK('slack')] } as const;

export const ROUTE_PARAMS = {
  type: 'object',
  required: ['project', 'routeId'],
  properties: { project: id, routeId: id },
} as const;

export const CREATE_ROUTE_BODY = {
  type: 'object',
  required: ['name', 'on', 'destination'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    on: TRIGGERS,
    destination: DESTINATION,
    severity: { anyOf: [SEVERITY, { type: 'null' }] },
  },
} as const;

export const ROUTE_VIEW = {
  type: 'object',
  required: ['routeId', 'projectId', 'name', 'on', 'severity', 'destination', 'createdBy', 'createdAt'],
  properties: {
    routeId: { type: 'string' },
    projectId: { type: 'string' },
    name: { type: 'string' },
    on: TRIGGERS,
    severity: SEVERITY,
    destination: DESTINATION,
    createdBy: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const ROUTE_LIST = {
  type: 'object',
  required: ['items'],
  properties: { items: { type: 'array', items: ROUTE_VIEW } },
} as const;

export const NOTIFICATIONS_QUERY = {
  type: 'object',
  properties: {
    routeId: id,
    runId: id,
    status: { type: 'string', enum: [...NOTIFICATION_STATUSES] },
    limit: { type: 'integer', minimum: 1, maximum: 200 },
    cursor: { type: 'string', maxLength: 1_000 },
  },
} as const;

const NULLABLE_STRING = { type: ['string', 'null'] } as const;
export const NOTIFICATIONS_PAGE = {
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: {
    nextCursor: NULLABLE_STRING,
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          notificationId: { type: 'string' },
          routeId: { type: 'string' },
          routeName: { type: 'string' },
          destinationType: { type: 'string', enum: [...DESTINATION_TYPES, ...EXPORT_DESTINATION_TYPES] },
          action: { type: 'string', enum: ['trigger', 'resolve'] },
          triggerType: { type: 'string', enum: [...NOTIFICATION_TRIGGERS, 'RunCompleted'] },
          triggerEventId: { type: 'string' },
          runId: { type: 'string' },
          gateId: NULLABLE_STRING,
          status: { type: 'string', enum: [...NOTIFICATION_STATUSES] },
          attempts: { type: 'integer' },
          lastError: NULLABLE_STRING,
          remoteId: NULLABLE_STRING,
          remoteUrl: NULLABLE_STRING,
          createdAt: { type: 'string', format: 'date-time' },
          updatedAt: { type: 'string', format: 'date-time' },
        },
      },
    },
  },
} as const;
