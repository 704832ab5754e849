/**
 * JSON Schemas of the Domain Memory routes: strict validation (unknown fields refused, scores in
 * [0, 1]) and the OpenAPI document. Answers are described open (`additionalProperties: true`): the
 * memory service may add fields, which pass through.
 */
import { FACT_KINDS, FACT_STATUSES } from '@evalvault/service-apis';
import { ID_SCHEMA as id, PROJECT_PARAMS } from '../http/common-schemas.js';

export { PROJECT_PARAMS };

/** A score, a weight, a similarity or a rate: always in [0, 1]. */
const unit = { type: 'number', minimum: 0, maximum: 1 } as const;
const text = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength }) as const;
const count = { type: 'integer', minimum: 0 } as const;
const timestamp = { type: 'string', format: 'date-time' } as const;
const nullableTimestamp = { type: ['string', 'null'], format: 'date-time' } as const;
const open = (properties: object, required: readonly string[] = []) =>
  ({ type: 'object', additionalProperties: true, required, properties }) as const;

export const FACT_PARAMS = {
  type: 'object',
  required: ['project', 'factId'],
  properties: { project: id, factId: id },
} as const;
export const BEHAVIOUR_PARAMS = {
  type: 'object',
  required: ['project', 'behaviourId'],
  properties: { project: id, behaviourId: id },
} as const;
export const RUN_PARAMS = {
  type: 'object',
  required: ['project', 'runId'],
  properties: { project: id, runId: id },
} as const;

const limit = { type: 'integer', minimum: 1, maximum: 200 } as const;
const cursor = { type: 'string', minLength: 1, maxLength: 1_024 } as const;
const q = { type: 'string', minLength: 1, maxLength: 500, description: 'Full-text query (web search syntax)' } as const;

export const FACTS_QUERY = {
  type: 'object',
  properties: {
    q,
    domain: text(200),
    kind: { type: 'string', enum: [...FACT_KINDS] },
    status: { type: 'string', enum: [...FACT_STATUSES] },
    minScore: { ...unit, description: 'Facts whose verification score is at least this' },
    usable: {
      type: 'boolean',
      description: "true: only facts the project's policy lets be used as knowledge; false: only the others",
    },
    limit,
    cursor,
  },
} as const;

export const BEHAVIOURS_QUERY = {
  type: 'object',
  properties: {
    q,
    minScore: { ...unit, description: 'Behaviours whose success rate is at least this' },
    limit,
    cursor,
  },
} as const;

export const LEARNINGS_QUERY = {
  type: 'object',
  properties: {
    dataset: { ...text(300), description: 'A registered dataset id, or `inline:<name>`' },
    metric: { type: 'string', pattern: '^[a-z][a-z0-9_]*$', maxLength: 100 },
    limit,
    cursor,
  },
} as const;

const reason = { type: 'string', minLength: 1, maxLength: 2_000 } as const;
export const VERIFY_BODY = { type: 'object', properties: { reason } } as const;
export const REJECT_BODY = { type: 'object', required: ['reason'], properties: { reason } } as const;

export const DELETION_BODY = {
  type: 'object',
  required: ['target', 'value'],
  properties: {
    target: { type: 'string', enum: ['subject', 'document'] },
    value: { ...text(1_000), description: 'The subject, or the source document id; only its hash is kept' },
  },
} as const;

const policySections = {
  inferredUsableBeforeVerification: { type: 'boolean' },
  formation: {
    type: 'object',
    properties: { factMinFaithfulness: unit, behaviourMinScore: unit },
  },
  decay: {
    type: 'object',
    properties: { factor: unit, periodDays: { type: 'integer', minimum: 1, maximum: 3_650 } },
  },
  forgetting: {
    type: 'object',
    properties: {
      maxAgeDays: { type: 'integer', minimum: 1, maximum: 36_500 },
      minVerificationCount: { type: 'integer', minimum: 0, maximum: 1_000 },
      minScore: unit,
    },
  },
  consolidation: { type: 'object', properties: { enabled: { type: 'boolean' }, objectSimilarity: unit } },
  search: {
    type: 'object',
    properties: {
      textWeight: unit,
      verificationWeight: unit,
      recencyWeight: unit,
      recencyHalfLifeDays: { type: 'number', exclusiveMinimum: 0, maximum: 36_500 },
    },
  },
  learning: { type: 'object', properties: { emaAlpha: { type: 'number', exclusiveMinimum: 0, maximum: 1 } } },
  maintenance: { type: 'object', properties: { intervalMinutes: { type: 'integer', minimum: 1, maximum: 525_600 } } },
} as const;

/** PUT sets the policy whole: a section (or a field of one) left out takes its default. */
export const SET_MEMORY_POLICY_BODY = {
  type: 'object',
  properties: { ...policySections, reason: { type: ['string', 'null'], maxLength: 2_000 } },
} as const;

const source = open({ kind: { type: 'string' }, id: { type: 'string' }, runId: { type: ['string', 'null'] } });

const triple = {
  type: 'object',
  required: ['subject', 'predicate', 'object'],
  properties: {
    subject: text(1_000),
    predicate: text(200),
    object: text(2_000),
    domain: text(200),
    language: { type: 'string', pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$' },
    kind: { type: 'string', enum: ['verified', 'inferred'] },
    status: { type: 'string', enum: [...FACT_STATUSES] },
    verificationScore: unit,
    verificationCount: { type: 'integer', minimum: 0 },
    sources: {
      type: 'array',
      maxItems: 100,
      items: {
        type: 'object',
        required: ['kind', 'id'],
        properties: {
          kind: { type: 'string', enum: ['run', 'case', 'document'] },
          id: text(300),
          runId: { type: ['string', 'null'], maxLength: 300 },
        },
      },
    },
  },
} as const;

export const IMPORT_BODY = {
  type: 'object',
  required: ['facts'],
  properties: {
    format: { type: 'string', enum: ['evalvault.memory.triples/v1'] },
    facts: { type: 'array', minItems: 1, maxItems: 10_000, items: triple },
  },
} as const;

export const FACT_VIEW = open(
  {
    factId: { type: 'string' },
    subject: { type: 'string' },
    predicate: { type: 'string' },
    object: { type: 'string' },
    domain: { type: 'string' },
    language: { type: 'string' },
    kind: { type: 'string', enum: [...FACT_KINDS] },
    status: { type: 'string', enum: [...FACT_STATUSES] },
    verificationScore: unit,
    verificationCount: count,
    lastVerifiedAt: nullableTimestamp,
    proposedAt: timestamp,
    sources: { type: 'array', items: source },
    conflictsWith: { type: 'array', items: { type: 'string' } },
    score: { type: ['number', 'null'], description: "A search hit's hybrid score" },
  },
  ['factId', 'subject', 'predicate', 'object', 'kind', 'status', 'verificationScore'],
);

export const BEHAVIOUR_VIEW = open(
  {
    behaviourId: { type: 'string' },
    trigger: { type: 'string' },
    action: { type: 'string' },
    successRate: unit,
    useCount: count,
    tokensSaved: count,
    sources: { type: 'array', items: source },
    score: { type: ['number', 'null'] },
  },
  ['behaviourId', 'trigger', 'action'],
);

const pattern = open({
  dimension: { type: 'string', enum: ['question_type', 'metric', 'contexts'] },
  value: { type: 'string' },
  count,
  lastRunId: { type: 'string' },
});

export const LEARNING_VIEW = open(
  {
    learningId: { type: 'string' },
    datasetKey: { type: 'string' },
    metric: { type: 'string' },
    runId: { type: 'string' },
    baseline: open({
      count,
      mean: { type: 'number' },
      p10: { type: 'number' },
      p50: { type: 'number' },
      p90: { type: 'number' },
      passRate: { type: 'number' },
    }),
    reliability: {
      type: 'array',
      items: open({
        type: { type: 'string', enum: ['entity', 'relation'] },
        name: { type: 'string' },
        ema: { type: 'number' },
        samples: count,
      }),
    },
    failurePatterns: { type: 'array', items: pattern },
    successPatterns: { type: 'array', items: pattern },
    updatedAt: timestamp,
  },
  ['learningId', 'datasetKey', 'metric'],
);

const meta = open({
  query: { type: ['string', 'null'] },
  vector: { type: 'boolean', description: 'Whether pgvector was used (it is optional; full-text search always is)' },
});
const page = (items: object, withMeta: boolean) =>
  open(
    {
      items: { type: 'array', items },
      nextCursor: { type: ['string', 'null'] },
      ...(withMeta ? { meta } : {}),
    },
    ['items', 'nextCursor'],
  );

export const FACT_PAGE = page(FACT_VIEW, true);
export const BEHAVIOUR_PAGE = page(BEHAVIOUR_VIEW, true);
export const LEARNING_PAGE = page(LEARNING_VIEW, false);

export const DELETIONS_QUERY = { type: 'object', properties: { limit, cursor }, additionalProperties: false } as const;

export const DELETION_PAGE = page(
  open(
    {
      requestId: { type: 'string' },
      target: { type: 'string', enum: ['subject', 'document'] },
      forgotten: { ...count, description: 'Facts and behaviours it removed for good' },
      requestedBy: { type: ['string', 'null'] },
      requestedAt: timestamp,
    },
    ['requestId', 'target', 'forgotten', 'requestedBy', 'requestedAt'],
  ),
  false,
);

export const DELETION_RESULT = open(
  { requestId: { type: 'string' }, forgotten: { ...count, description: 'Facts and behaviours removed for good' } },
  ['requestId', 'forgotten'],
);

export const MEMORY_POLICY_VIEW = open(
  {
    projectId: { type: 'string' },
    version: { type: 'integer', description: '0: never set (the defaults); one more per change' },
    policy: open(policySections),
  },
  ['projectId', 'version', 'policy'],
);

export const MEMORY_EXPORT = open(
  {
    format: { type: 'string', enum: ['evalvault.memory.triples/v1'] },
    projectId: { type: 'string' },
    exportedAt: timestamp,
    facts: {
      type: 'array',
      items: {
        ...triple,
        additionalProperties: true,
        properties: { ...triple.properties, kind: { type: 'string', enum: [...FACT_KINDS] } },
      },
    },
  },
  ['format', 'facts'],
);

export const IMPORT_RESULT = open({ proposed: count, supported: count }, ['proposed', 'supported']);

export const MAINTENANCE_RESULT = open({
  decayed: count,
  forgotten: count,
  consolidated: count,
  conflictsResolved: count,
  policyVersion: { type: 'integer' },
});

export const RUN_INSIGHTS = open(
  {
    runId: { type: 'string' },
    datasetKey: { type: ['string', 'null'] },
    trends: {
      type: 'array',
      items: open({
        metric: { type: 'string' },
        mean: { type: ['number', 'null'] },
        baselineMean: { type: ['number', 'null'] },
        delta: { type: ['number', 'null'] },
        direction: { type: 'string' },
      }),
    },
    repeatedFailurePatterns: { type: 'array', items: pattern },
  },
  ['runId'],
);
