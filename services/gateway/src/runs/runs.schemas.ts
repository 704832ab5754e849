/** JSON Schemas of the runs routes: validation (unknown fields refused) and, later, the OpenAPI document. */
import { ID_SCHEMA as id, PROJECT_PARAMS } from '../http/common-schemas.js';

export { PROJECT_PARAMS };

/**
 * A registered prompt or model profile: by id or name, at a version or a label (`latest`, the
 * default; `approved`), resolved to one exact version at submission. `contentHash` is accepted
 * from older clients and ignored: the registry's hash is pinned.
 */
const registryReference = {
  type: 'object',
  anyOf: [{ required: ['id'] }, { required: ['name'] }],
  properties: {
    id: { anyOf: [id, { type: 'null' }] },
    name: { type: ['string', 'null'], minLength: 1, maxLength: 200 },
    version: { type: ['integer', 'null'], minimum: 1 },
    label: { anyOf: [{ type: 'string', enum: ['latest', 'approved'] }, { type: 'null' }] },
    contentHash: { type: 'string', maxLength: 200 },
  },
} as const;

const inlineCase = {
  type: 'object',
  required: ['question', 'answer', 'contexts'],
  properties: {
    id: { type: ['string', 'integer'] },
    question: { type: 'string' },
    answer: { type: 'string' },
    contexts: { type: 'array', items: { type: 'string' } },
    ground_truth: { type: ['string', 'null'] },
    metadata: { type: 'object', additionalProperties: true },
  },
} as const;

/**
 * A row of the client's dataset file it could not submit (`evalvault run --skip-invalid`): recorded as a
 * failed case.
 */
const rejectedRow = {
  type: 'object',
  required: ['line', 'reason'],
  properties: {
    line: { type: 'integer', minimum: 1 },
    reason: { type: 'string', minLength: 1, maxLength: 1_000 },
    errorCode: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$', maxLength: 50 },
  },
} as const;

export const RUN_PARAMS = {
  type: 'object',
  required: ['project', 'runId'],
  properties: { project: id, runId: id },
} as const;
export const COMPARE_PARAMS = {
  type: 'object',
  required: ['project', 'runId', 'otherRunId'],
  properties: { project: id, runId: id, otherRunId: id },
} as const;

export const SUBMIT_RUN_BODY = {
  type: 'object',
  required: ['dataset', 'metrics'],
  properties: {
    dataset: {
      oneOf: [
        { type: 'object', required: ['id', 'version'], properties: { id, version: { type: 'integer', minimum: 1 } } },
        {
          type: 'object',
          required: ['name', 'cases'],
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 200 },
            cases: { type: 'array', minItems: 1, maxItems: 5_000, items: inlineCase },
          },
        },
      ],
    },
    metrics: { type: 'array', minItems: 1, maxItems: 30, items: { type: 'string', pattern: '^[a-z][a-z0-9_]*$' } },
    // Optional: a run without gate rules has no gate (verdict none).
    gate: {
      type: 'object',
      required: ['rules'],
      properties: {
        rules: { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 500 } },
        missingBaseline: { type: 'string', enum: ['fail', 'pass'] },
      },
    },
    prompt: { anyOf: [registryReference, { type: 'null' }] },
    modelProfile: { anyOf: [registryReference, { type: 'null' }] },
    labels: { type: 'object', maxProperties: 50, additionalProperties: { type: 'string', maxLength: 200 } },
    rejectedRows: { type: 'array', maxItems: 5_000, items: rejectedRow },
    // Domain Memory: `baseline` rules compare with memory's learned baseline; the report shows its insights.
    memory: {
      type: 'object',
      required: ['use'],
      properties: { use: { type: 'boolean' } },
      description:
        "`use: true`: `baseline` gate rules compare with Domain Memory's learned baseline of the dataset and " +
        'metric instead of the last passing run (mean, p10, p50, p90 and pass_rate at 0.5 only), and the run ' +
        "view's gate says so (`baselineSource`).",
    },
  },
} as const;

export const LIST_RUNS_QUERY = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['requested', 'running', 'completed', 'failed', 'cancelled'] },
    dataset: { type: 'string', maxLength: 300 },
    label: { type: 'string', maxLength: 400 },
    limit: { type: 'integer', minimum: 1, maximum: 100 },
    cursor: { type: 'string', maxLength: 1_000 },
  },
} as const;

export const CASES_QUERY = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['evaluated', 'failed'] },
    limit: { type: 'integer', minimum: 1, maximum: 500 },
    cursor: { type: 'string', maxLength: 1_000 },
  },
} as const;

export const CANCEL_BODY = { type: 'object', properties: { reason: { type: 'string', maxLength: 500 } } } as const;
export const RETRY_BODY = {
  type: 'object',
  properties: { mode: { type: 'string', enum: ['all', 'failed'] } },
} as const;
