/** JSON Schemas of the audit routes: validation (unknown fields refused) and the OpenAPI document. */

const TEXT = { type: 'string', minLength: 1, maxLength: 300 } as const;
const NULLABLE_TEXT = { type: ['string', 'null'] } as const;

const FILTERS = {
  actor: { ...TEXT, description: 'The actor’s subject as authenticated (OIDC sub, or api-key:<id>).' },
  resource: { ...TEXT, description: '`type:id` (e.g. dataset:ds-1) or a bare id.' },
  action: {
    type: 'string',
    pattern: '^[A-Z][A-Za-z]{1,80}$',
    description: 'An event type, e.g. RunRequested or AccessDenied.',
  },
  from: { type: 'string', format: 'date-time', description: 'Inclusive, on the event’s time.' },
  to: { type: 'string', format: 'date-time', description: 'Exclusive.' },
} as const;

export const AUDIT_QUERY = {
  type: 'object',
  properties: {
    ...FILTERS,
    limit: { type: 'integer', minimum: 1, maximum: 1_000 },
    cursor: { type: 'string', maxLength: 200 },
  },
  additionalProperties: false,
} as const;

export const EXPORT_QUERY = {
  type: 'object',
  properties: {
    ...FILTERS,
    format: { type: 'string', enum: ['jsonl', 'csv'], description: 'JSON Lines (default) or CSV.' },
  },
  additionalProperties: false,
} as const;

const REASON = { type: ['string', 'null'], maxLength: 500 } as const;

export const RETENTION_BODY = {
  type: 'object',
  required: ['retentionDays'],
  properties: {
    retentionDays: {
      type: ['integer', 'null'],
      minimum: 1,
      maximum: 36_500,
      description: 'Days entries are kept; null keeps them for ever.',
    },
    reason: {
      ...REASON,
      description:
        'Why. Required (not blank) for a shortening, ' +
        'which then waits for the audit service’s delay (202) before purges use it.',
    },
  },
  additionalProperties: false,
} as const;

export const CANCEL_QUERY = {
  type: 'object',
  properties: {
    reason: { type: 'string', minLength: 1, maxLength: 500, description: 'Why the waiting shortening is dropped.' },
  },
  additionalProperties: false,
} as const;

export const FORGET_BODY = {
  type: 'object',
  required: ['subject'],
  properties: {
    subject: { type: 'string', minLength: 1, maxLength: 500 },
    reason: REASON,
  },
  additionalProperties: false,
} as const;

const SUBJECT = {
  type: 'object',
  required: ['subject', 'pseudonym', 'forgotten'],
  properties: { subject: NULLABLE_TEXT, pseudonym: { type: 'string' }, forgotten: { type: 'boolean' } },
} as const;

const ENTRY = {
  type: 'object',
  properties: {
    seq: { type: 'integer' },
    eventId: { type: 'string' },
    action: { type: 'string' },
    occurredAt: { type: 'string', format: 'date-time' },
    tenantId: { type: 'string' },
    projectId: { type: 'string' },
    streamId: { type: 'string' },
    actor: {
      ...SUBJECT,
      properties: { ...SUBJECT.properties, authMethod: { type: 'string' }, apiKeyId: NULLABLE_TEXT },
    },
    target: { anyOf: [SUBJECT, { type: 'null' }] },
    resources: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          type: { type: 'string' },
          id: { type: 'string' },
          version: { type: ['integer', 'null'] },
          contentHash: NULLABLE_TEXT,
        },
      },
    },
    outcome: { type: 'string', enum: ['success', 'failure', 'denied'] },
    correlationId: { type: 'string' },
    causationId: NULLABLE_TEXT,
    details: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean', 'null'] } },
    prevHash: { type: 'string' },
    hash: { type: 'string' },
  },
} as const;

export const AUDIT_PAGE = {
  type: 'object',
  properties: { items: { type: 'array', items: ENTRY }, nextCursor: NULLABLE_TEXT },
} as const;

export const REPLAY_REPORT = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['verified', 'mismatch'] },
    counts: {
      type: 'object',
      properties: {
        entries: { type: 'integer' },
        events: { type: 'integer' },
        purged: { type: 'integer' },
        compared: { type: 'integer' },
        pending: { type: 'integer' },
      },
    },
    headHash: NULLABLE_TEXT,
    firstDifference: {
      anyOf: [
        { type: 'null' },
        {
          type: 'object',
          properties: {
            seq: { type: ['integer', 'null'] },
            eventId: NULLABLE_TEXT,
            kind: {
              type: 'string',
              enum: ['edited', 'missing', 'out_of_order', 'forged', 'head_mismatch', 'purged_mismatch'],
            },
            field: NULLABLE_TEXT,
            expected: NULLABLE_TEXT,
            actual: NULLABLE_TEXT,
            message: { type: 'string' },
          },
        },
      ],
    },
    durationMs: { type: 'integer' },
  },
} as const;

const RETENTION_PROPERTIES = {
  retentionDays: { type: ['integer', 'null'], description: 'The retention in force now; null: for ever.' },
  pending: {
    description: 'A shortening waiting for its delay: purges keep retentionDays until effectiveAt.',
    anyOf: [
      { type: 'null' },
      {
        type: 'object',
        properties: {
          retentionDays: { type: 'integer' },
          reason: { type: 'string' },
          requestedAt: { type: 'string', format: 'date-time' },
          effectiveAt: { type: 'string', format: 'date-time' },
          eventId: { type: 'string', description: 'The AuditRetentionChanged event; its entry names who asked.' },
        },
      },
    ],
  },
  anchor: {
    anyOf: [
      { type: 'null' },
      {
        type: 'object',
        properties: {
          throughSeq: { type: 'integer' },
          throughHash: { type: 'string' },
          purgedCount: { type: 'integer' },
          purgedBefore: { type: 'string', format: 'date-time' },
        },
      },
    ],
  },
} as const;

export const RETENTION_VIEW = { type: 'object', properties: RETENTION_PROPERTIES } as const;

export const RETENTION_CHANGE_VIEW = {
  type: 'object',
  properties: {
    ...RETENTION_PROPERTIES,
    change: {
      type: ['string', 'null'],
      description:
        'What the request did: applied, shortening-scheduled or shortening-cancelled; ' +
        'null: nothing (the retention asked for is already in force or waiting).',
    },
  },
} as const;

export const FORGOTTEN = {
  type: 'object',
  properties: { pseudonym: { type: 'string' }, eventId: { type: 'string' } },
} as const;
