/** JSON Schemas of the registry routes: strict validation (unknown fields refused) and the OpenAPI document. */
import { ID_SCHEMA as id, PROJECT_PARAMS } from '../http/common-schemas.js';

export { PROJECT_PARAMS };

/** Largest JSON registration body; larger datasets are streamed as application/x-ndjson. */
export const DATASET_JSON_BODY_LIMIT = 10 * 1024 * 1024;

const name = { type: 'string', minLength: 1, maxLength: 200 } as const;
const version = { type: 'integer', minimum: 1, maximum: 2_147_483_647 } as const;
const timestamp = { type: 'string', format: 'date-time' } as const;
const nullableTimestamp = { type: ['string', 'null'], format: 'date-time' } as const;
const openObject = { type: 'object', additionalProperties: true } as const;

export const ID_PARAMS = {
  dataset: { type: 'object', required: ['project', 'datasetId'], properties: { project: id, datasetId: id } },
  prompt: { type: 'object', required: ['project', 'promptId'], properties: { project: id, promptId: id } },
  model_profile: {
    type: 'object',
    required: ['project', 'modelProfileId'],
    properties: { project: id, modelProfileId: id },
  },
} as const;

export const VERSION_PARAMS = {
  dataset: {
    type: 'object',
    required: ['project', 'datasetId', 'version'],
    properties: { project: id, datasetId: id, version },
  },
  prompt: {
    type: 'object',
    required: ['project', 'promptId', 'version'],
    properties: { project: id, promptId: id, version },
  },
  model_profile: {
    type: 'object',
    required: ['project', 'modelProfileId', 'version'],
    properties: { project: id, modelProfileId: id, version },
  },
} as const;

export const PAGE_QUERY = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 200 },
    cursor: { type: 'string', minLength: 1, maxLength: 1_024 },
  },
} as const;

export const CASES_QUERY = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 500 },
    cursor: { type: 'string', minLength: 1, maxLength: 1_024 },
  },
} as const;

/** A case as in dataset files: the same fields, validated the same way by the registry. */
const datasetCase = {
  type: 'object',
  required: ['question', 'answer', 'contexts'],
  properties: {
    id: { type: ['string', 'integer'] },
    question: { type: 'string' },
    answer: { type: 'string' },
    contexts: { type: 'array', items: { type: 'string' } },
    ground_truth: { type: ['string', 'null'] },
    metadata: openObject,
  },
} as const;

/**
 * application/json: the cases in the body. application/x-ndjson: one case per line, name (and description)
 * in the query.
 */
export const REGISTER_DATASET_BODY = {
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: ['name', 'cases'],
        properties: {
          name,
          description: { type: 'string', maxLength: 2_000 },
          cases: { type: 'array', minItems: 1, maxItems: 50_000, items: datasetCase },
        },
      },
    },
    'application/x-ndjson': {
      schema: {
        description:
          'One case per line (JSON Lines), streamed: sent in constant memory; ' +
          'at most the configured upload limit (default 256 MiB).',
      },
    },
  },
} as const;

export const REGISTER_DATASET_QUERY = {
  type: 'object',
  properties: { name, description: { type: 'string', maxLength: 2_000 } },
} as const;

export const REGISTER_PROMPT_BODY = {
  type: 'object',
  required: ['name', 'template'],
  properties: {
    name,
    template: { type: 'string', minLength: 1, maxLength: 100_000 },
    variables: { type: 'array', maxItems: 100, items: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_.-]{0,99}$' } },
  },
} as const;

export const REGISTER_MODEL_PROFILE_BODY = {
  type: 'object',
  required: ['name', 'provider', 'model', 'parameters'],
  properties: {
    name,
    provider: { type: 'string', enum: ['openai', 'azure_openai', 'anthropic', 'ollama'] },
    model: { type: 'string', minLength: 1, maxLength: 200 },
    parameters: { ...openObject, maxProperties: 100 },
  },
} as const;

export const APPROVE_BODY = { type: 'object', properties: { comment: { type: 'string', maxLength: 2_000 } } } as const;
export const REJECT_BODY = {
  type: 'object',
  required: ['reason'],
  properties: { reason: { type: 'string', minLength: 1, maxLength: 2_000, pattern: '\\S' } },
} as const;

const kind = { type: 'string', enum: ['dataset', 'prompt', 'model_profile'] } as const;

export const REGISTERED_VERSION = {
  type: 'object',
  required: ['kind', 'id', 'name', 'version', 'contentHash', 'created'],
  properties: {
    kind,
    id: { type: 'string' },
    name: { type: 'string' },
    version: { type: 'integer' },
    contentHash: { type: 'string' },
    created: { type: 'boolean' },
  },
} as const;

const resourceSummary = {
  type: 'object',
  required: ['kind', 'id', 'name', 'latestVersion', 'createdAt', 'updatedAt'],
  properties: {
    kind,
    id: { type: 'string' },
    name: { type: 'string' },
    latestVersion: { type: 'integer' },
    createdAt: timestamp,
    updatedAt: timestamp,
  },
} as const;

const versionProperties = {
  kind,
  id: { type: 'string' },
  name: { type: 'string' },
  version: { type: 'integer' },
  contentHash: { type: 'string' },
  registeredBy: { type: ['string', 'null'] },
  registeredAt: timestamp,
  approval: {
    type: ['object', 'null'],
    required: ['approvedBy', 'approvedAt', 'comment'],
    properties: {
      approvedBy: { type: ['string', 'null'] },
      approvedAt: timestamp,
      comment: { type: ['string', 'null'] },
    },
  },
  rejection: {
    type: ['object', 'null'],
    required: ['rejectedBy', 'rejectedAt', 'reason'],
    description: 'Who rejected the version, when and why; a rejected version is never approved',
    properties: {
      rejectedBy: { type: ['string', 'null'] },
      rejectedAt: timestamp,
      reason: { type: 'string' },
    },
  },
  details: {
    ...openObject,
    description:
      'dataset: format, caseCount, description; prompt: template, variables; ' +
      'model profile: provider, model, parameters',
  },
} as const;
const versionRequired = [
  'kind',
  'id',
  'name',
  'version',
  'contentHash',
  'registeredBy',
  'registeredAt',
  'approval',
  'rejection',
  'details',
] as const;

export const VERSION_VIEW = {
  type: 'object',
  required: [...versionRequired, 'lineage'],
  properties: {
    ...versionProperties,
    lineage: {
      type: 'object',
      required: ['total', 'runs'],
      description: 'Runs that pinned this version, newest first (at most 50 listed).',
      properties: {
        total: { type: 'integer' },
        runs: {
          type: 'array',
          items: {
            type: 'object',
            required: ['runId', 'status', 'contentHash', 'configHash', 'requestedAt', 'finishedAt'],
            properties: {
              runId: { type: 'string' },
              status: { type: 'string' },
              contentHash: { type: 'string' },
              configHash: { type: 'string' },
              requestedAt: timestamp,
              finishedAt: nullableTimestamp,
            },
          },
        },
      },
    },
  },
} as const;

const page = (items: object) =>
  ({
    type: 'object',
    required: ['items', 'nextCursor'],
    properties: { items: { type: 'array', items }, nextCursor: { type: ['string', 'null'] } },
  }) as const;

export const RESOURCE_SUMMARY = resourceSummary;
export const RESOURCE_PAGE = page(resourceSummary);
export const VERSION_PAGE = page({ type: 'object', required: [...versionRequired], properties: versionProperties });
export const CASES_PAGE = page(datasetCase);
