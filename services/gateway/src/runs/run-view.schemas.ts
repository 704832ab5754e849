import type { RunView } from '@evalvault/service-apis';

/**
 * The answer of GET …/runs/{runId} (the runs service's RunView), for the OpenAPI document only: the route
 * sends the owner's answer as it is (as text in-process), so no serialiser drops a field this leaves out.
 * Every field of RunView is listed (`satisfies` fails the build on a field added to the view and not here).
 */
const string = { type: 'string' } as const;
const NULLABLE_STRING = { type: ['string', 'null'] } as const;
const NULLABLE_TIME = { type: ['string', 'null'], format: 'date-time' } as const;
const integer = { type: 'integer', minimum: 0 } as const;
const number = { type: 'number' } as const;

const versionRef = {
  type: 'object',
  required: ['id', 'name', 'version', 'contentHash'],
  properties: {
    id: string,
    name: NULLABLE_STRING,
    version: { type: ['integer', 'null'], description: 'Null for an inline dataset' },
    contentHash: string,
  },
} as const;
const nullable = <T extends object>(schema: T) => ({ anyOf: [schema, { type: 'null' }] }) as const;

const aggregate = {
  type: 'object',
  required: ['metric', 'count', 'mean', 'min', 'max', 'p10', 'p50', 'p90'],
  properties: {
    metric: string,
    count: integer,
    mean: number,
    min: number,
    max: number,
    p10: number,
    p50: number,
    p90: number,
  },
} as const;

const ruleResult = {
  type: 'object',
  required: [
    'rule',
    'metric',
    'aggregate',
    'comparator',
    'threshold',
    'actual',
    'passed',
    'baselineValue',
    'noBaseline',
  ],
  properties: {
    rule: string,
    metric: string,
    aggregate: string,
    comparator: string,
    threshold: number,
    actual: { type: ['number', 'null'], description: 'Null when the metric produced no scores' },
    passed: { type: 'boolean' },
    baselineValue: { type: ['number', 'null'] },
    noBaseline: { type: 'boolean' },
  },
} as const;

const learnedBaseline = {
  type: 'object',
  required: ['metric', 'learningId', 'version', 'runId'],
  properties: { metric: string, learningId: string, version: integer, runId: string },
} as const;

const USAGE = {
  type: 'object',
  description:
    "The run's LLM use so far, its totals once completed: every call its judge (`lineage.judge`) was billed for, " +
    "retries and failed cases' calls included; all zero for a run that made no LLM call. Null for a run recorded " +
    'before usage was kept, until the runs read model is rebuilt.',
  required: ['requests', 'promptTokens', 'completionTokens', 'totalTokens', 'cacheHits', 'costUsd'],
  properties: {
    requests: { ...integer, description: 'Requests the provider answered and billed' },
    promptTokens: integer,
    completionTokens: integer,
    totalTokens: { ...integer, description: 'promptTokens + completionTokens' },
    cacheHits: { ...integer, description: 'Judge answers taken from the response cache: no request, no cost' },
    costUsd: { ...number, description: 'USD, at the configured prices (0 for unpriced models)' },
  },
} as const;

const properties = {
  runId: string,
  projectId: string,
  status: { type: 'string', enum: ['requested', 'running', 'completed', 'failed', 'cancelled'] },
  counts: {
    type: 'object',
    required: ['total', 'evaluated', 'failed'],
    properties: {
      total: { type: ['integer', 'null'], description: 'Null until the dataset has been read' },
      evaluated: integer,
      failed: integer,
    },
  },
  metrics: { type: 'array', items: string },
  aggregates: { type: 'array', items: aggregate, description: 'Empty until the run completed' },
  gateRules: { type: 'array', items: string },
  verdict: {
    ...nullable({ type: 'string', enum: ['passed', 'failed', 'none'] }),
    description: '`none`: the run has no gate rules; null: not decided yet',
  },
  gate: nullable({
    type: 'object',
    required: ['passed', 'rules', 'baselineRunId', 'baselineSource'],
    properties: {
      passed: { type: 'boolean' },
      rules: { type: 'array', items: ruleResult },
      baselineRunId: NULLABLE_STRING,
      baselineSource: nullable({
        type: 'object',
        description: '`kind` run (the last passing run, `runId`) or memory (the `learnings` and their versions)',
        required: ['kind', 'runId', 'learnings'],
        properties: { kind: string, runId: NULLABLE_STRING, learnings: { type: 'array', items: learnedBaseline } },
      }),
    },
  }),
  memory: { type: 'object', required: ['use'], properties: { use: { type: 'boolean' } } },
  configHash: string,
  lineage: {
    type: 'object',
    required: ['dataset', 'datasetKey', 'prompt', 'modelProfile', 'judge'],
    properties: {
      dataset: versionRef,
      datasetKey: string,
      prompt: nullable(versionRef),
      modelProfile: nullable(versionRef),
      judge: nullable({
        type: 'object',
        required: ['provider', 'model', 'parametersJson'],
        properties: { provider: string, model: string, parametersJson: string },
      }),
    },
  },
  labels: { type: 'object', additionalProperties: string },
  retryOf: NULLABLE_STRING,
  requestedBy: NULLABLE_STRING,
  requestedAt: { type: 'string', format: 'date-time' },
  startedAt: NULLABLE_TIME,
  finishedAt: NULLABLE_TIME,
  costUsd: { ...number, description: 'What its LLM calls cost, in USD (the same as `usage.costUsd`)' },
  usage: nullable(USAGE),
  failure: nullable({
    type: 'object',
    required: ['reason', 'message'],
    properties: { reason: string, message: NULLABLE_STRING },
  }),
} as const satisfies Record<keyof RunView, object>;

export const RUN_VIEW = {
  type: 'object',
  required: Object.keys(properties),
  properties,
} as const;
