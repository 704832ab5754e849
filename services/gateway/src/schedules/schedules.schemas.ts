/** JSON Schemas of the schedules routes: validation (unknown fields refused) and the OpenAPI document. */
import { ID_SCHEMA as id, PROJECT_PARAMS } from '../http/common-schemas.js';

export { PROJECT_PARAMS };

export const SCHEDULE_PARAMS = {
  type: 'object',
  required: ['project', 'scheduleId'],
  properties: { project: id, scheduleId: id },
} as const;

/** The cron expression and time zone are checked by the runs service (croner, Intl): a 400 names the field. */
export const CREATE_SCHEDULE_BODY = {
  type: 'object',
  required: ['name', 'cron', 'dataset', 'metrics'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    cron: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description: 'Five fields (minute hour day-of-month month day-of-week), or six with seconds first',
    },
    timeZone: { type: 'string', minLength: 1, maxLength: 100, description: 'IANA time zone; default UTC' },
    dataset: {
      type: 'object',
      required: ['id'],
      additionalProperties: false,
      properties: {
        id,
        version: { type: ['integer', 'null'], minimum: 1, description: 'Absent or null: the latest approved version' },
      },
    },
    metrics: { type: 'array', minItems: 1, maxItems: 50, items: { type: 'string', minLength: 1, maxLength: 100 } },
    gate: {
      type: ['object', 'null'],
      required: ['rules'],
      additionalProperties: false,
      properties: { rules: { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 500 } } },
    },
    drift: {
      type: ['object', 'null'],
      additionalProperties: false,
      properties: {
        threshold: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
        baselineRuns: { type: 'integer', minimum: 1, maximum: 50 },
      },
    },
  },
} as const;

export const PAUSE_BODY = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: { reason: { type: ['string', 'null'], maxLength: 500 } },
} as const;

export const SCHEDULE_VIEW = {
  type: 'object',
  required: ['scheduleId', 'name', 'cron', 'timeZone', 'dataset', 'metrics', 'status', 'nextSlotAt'],
  properties: {
    scheduleId: { type: 'string' },
    projectId: { type: 'string' },
    name: { type: 'string' },
    cron: { type: 'string' },
    timeZone: { type: 'string' },
    dataset: {
      type: 'object',
      properties: { id: { type: 'string' }, version: { type: ['integer', 'null'] } },
    },
    metrics: { type: 'array', items: { type: 'string' } },
    gateRules: { type: 'array', items: { type: 'string' } },
    drift: {
      type: 'object',
      properties: { threshold: { type: 'number' }, baselineRuns: { type: 'integer' } },
    },
    status: { type: 'string', enum: ['active', 'paused'] },
    nextSlotAt: { type: ['string', 'null'], description: 'ISO 8601 UTC; null while paused' },
    recentRunIds: { type: 'array', items: { type: 'string' }, description: 'Newest first, at most 20' },
    drifting: {
      type: 'array',
      items: {
        type: 'object',
        properties: { metric: { type: 'string' }, runId: { type: 'string' }, baseline: { type: 'number' } },
      },
    },
  },
} as const;

export const SCHEDULE_LIST = {
  type: 'object',
  required: ['items'],
  properties: { items: { type: 'array', items: SCHEDULE_VIEW } },
} as const;
