/**
 * The answer of GET …/runs/{runId}/compare/{otherRunId} (the runs service's RunComparison): its
 * serialiser and its OpenAPI document. Every field is listed, since the serialiser drops the others.
 */
const number = { type: 'number' } as const;
const NULLABLE_NUMBER = { type: ['number', 'null'] } as const;

const comparedRun = {
  type: 'object',
  required: ['runId', 'status', 'gatePassed', 'configHash'],
  properties: {
    runId: { type: 'string' },
    status: { type: 'string' },
    gatePassed: { type: ['boolean', 'null'] },
    configHash: { type: 'string' },
  },
} as const;

const aggregate = {
  anyOf: [
    { type: 'null' },
    {
      type: 'object',
      required: ['metric', 'count', 'mean', 'min', 'max', 'p10', 'p50', 'p90'],
      properties: {
        metric: { type: 'string' },
        count: { type: 'integer' },
        mean: number,
        min: number,
        max: number,
        p10: number,
        p50: number,
        p90: number,
      },
    },
  ],
} as const;

const caseChange = {
  type: 'object',
  required: ['caseId', 'base', 'candidate', 'difference'],
  properties: { caseId: { type: 'string' }, base: number, candidate: number, difference: number },
} as const;

const paired = {
  anyOf: [
    { type: 'null' },
    {
      type: 'object',
      description:
        'Over the cases both runs evaluated (matched by case id): candidate − base. verdict is regressed or ' +
        'improved only when the Wilcoxon signed-rank p-value is below alpha.',
      required: ['cases', 'meanDifference', 'interval', 'test', 'effectSize', 'verdict', 'alpha', 'mostRegressed'],
      properties: {
        cases: { type: 'integer' },
        meanBase: number,
        meanCandidate: number,
        meanDifference: number,
        interval: {
          type: 'object',
          description: 'Percentile bootstrap interval of the mean difference, resampling cases (seeded).',
          properties: {
            low: number,
            high: number,
            confidence: number,
            resamples: { type: 'integer' },
            seed: { type: 'integer' },
          },
        },
        test: {
          type: 'object',
          properties: {
            name: { type: 'string', enum: ['wilcoxon_signed_rank'] },
            statistic: number,
            pValue: number,
            method: { type: 'string', enum: ['exact', 'normal'] },
          },
        },
        effectSize: {
          type: 'object',
          properties: { rankBiserial: number, cohensDz: NULLABLE_NUMBER },
        },
        verdict: { type: 'string', enum: ['regressed', 'improved', 'unchanged'] },
        alpha: number,
        mostRegressed: { type: 'array', items: caseChange },
      },
    },
  ],
} as const;

export const RUN_COMPARISON = {
  type: 'object',
  required: ['base', 'candidate', 'configurationChanges', 'sharedCases', 'metrics', 'regressions'],
  properties: {
    base: comparedRun,
    candidate: comparedRun,
    configurationChanges: { type: 'array', items: { type: 'string' } },
    sharedCases: { type: 'integer' },
    metrics: {
      type: 'array',
      items: {
        type: 'object',
        required: ['metric', 'base', 'candidate', 'meanDelta', 'paired'],
        properties: {
          metric: { type: 'string' },
          base: aggregate,
          candidate: aggregate,
          meanDelta: NULLABLE_NUMBER,
          paired,
        },
      },
    },
    regressions: { type: 'array', items: { type: 'string' } },
  },
} as const;
