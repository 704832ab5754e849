import type { ExportedRun } from './run-results.js';

export interface MlflowKeyValue {
  key: string;
  value: string;
}
export interface MlflowMetric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}
export interface MlflowBatch {
  params: MlflowKeyValue[];
  metrics: MlflowMetric[];
  tags: MlflowKeyValue[];
}

/** MLflow's log-batch limits: 1000 entities per request, of which at most 100 params and 100 tags. */
export const MLFLOW_LIMITS = { entities: 1000, params: 100, tags: 100 } as const;
/** Param values: 6000 characters on MLflow 2, 500 before; 500 fits both. */
const MAX_PARAM = 500;
const MAX_TAG = 5000;

const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The tag a delivery attempted again searches for (tag keys with dots need quoting in filters; this has none). */
export const MLFLOW_EXPORT_TAG = 'evalvault_export_id';

/** Parameters: what the run pinned (dataset, prompt and model-profile versions, config hash) and evaluated. */
export function mlflowParams(run: ExportedRun): MlflowKeyValue[] {
  const params: [string, string | number | null | undefined][] = [
    ['dataset', run.dataset.name ?? run.dataset.id],
    ['dataset_id', run.dataset.id],
    ['dataset_version', run.dataset.version ?? 'inline'],
    ['dataset_content_hash', run.dataset.contentHash],
    ['prompt', run.prompt ? (run.prompt.name ?? run.prompt.id) : null],
    ['prompt_version', run.prompt?.version],
    ['model_profile', run.modelProfile ? (run.modelProfile.name ?? run.modelProfile.id) : null],
    ['model_profile_version', run.modelProfile?.version],
    ['config_hash', run.configHash],
    ['evaluator_version', run.evaluatorVersion],
    ['metrics', run.metrics.join(',')],
    ['gate_rules', run.gateRules.join('; ')],
  ];
  return params
    .filter(
      (entry): entry is [string, string | number] => entry[1] !== null && entry[1] !== undefined && entry[1] !== '',
    )
    .map(([key, value]) => ({ key, value: clip(String(value), MAX_PARAM) }));
}

/** Metrics: each aggregate of each metric, the case counts, duration and cost, at the run's completion time. */
export function mlflowMetrics(run: ExportedRun): MlflowMetric[] {
  const at = (key: string, value: number): MlflowMetric => ({ key, value, timestamp: run.completedAt, step: 0 });
  return [
    ...run.aggregates.flatMap((a) =>
      (['mean', 'min', 'max', 'p10', 'p50', 'p90'] as const).map((stat) => at(`${a.metric}.${stat}`, a[stat])),
    ),
    at('cases.total', run.counts.total),
    at('cases.evaluated', run.counts.evaluated),
    at('cases.failed', run.counts.failed),
    at('duration_seconds', run.durationMs / 1000),
    ...(run.usage ? [at('llm.cost_usd', run.usage.costUsd), at('llm.requests', run.usage.requests)] : []),
  ];
}

export function mlflowTags(run: ExportedRun, notificationTag: string, artifactNote: string | null): MlflowKeyValue[] {
  const tags: [string, string][] = [
    ['mlflow.runName', `evalvault-${run.runId}`],
    ['mlflow.source.name', 'evalvault'],
    [MLFLOW_EXPORT_TAG, notificationTag],
    ['evalvault.run_id', run.runId],
    ['evalvault.project', run.projectId],
    ['evalvault.verdict', run.verdict ?? 'unknown'],
    ...Object.entries(run.labels).map(([key, value]): [string, string] => [`evalvault.label.${key}`, value]),
    ...(artifactNote ? [['evalvault.cases_artifact', artifactNote] as [string, string]] : []),
  ];
  return tags
    .slice(0, MLFLOW_LIMITS.tags)
    .map(([key, value]) => ({ key: clip(key, 250), value: clip(value, MAX_TAG) }));
}

/** Params, metrics and tags in requests within MLflow's limits (params and tags fit in the first). */
export function mlflowBatches(
  params: MlflowKeyValue[],
  metrics: MlflowMetric[],
  tags: MlflowKeyValue[],
): MlflowBatch[] {
  const first = { params: params.slice(0, MLFLOW_LIMITS.params), tags, metrics: [] as MlflowMetric[] };
  const room = MLFLOW_LIMITS.entities - first.params.length - first.tags.length;
  first.metrics = metrics.slice(0, room);
  const batches: MlflowBatch[] = [first];
  for (let index = room; index < metrics.length; index += MLFLOW_LIMITS.entities)
    batches.push({ params: [], tags: [], metrics: metrics.slice(index, index + MLFLOW_LIMITS.entities) });
  return batches;
}

/** The per-case table as the JSON artifact `evalvault/cases.json`. */
export function casesArtifact(run: ExportedRun): string {
  return JSON.stringify({
    runId: run.runId,
    columns: ['caseIndex', 'caseId', 'status', 'question', 'answer', 'groundTruth', 'scores', 'error'],
    rows: run.cases.map((one) => ({
      caseIndex: one.caseIndex,
      caseId: one.caseId,
      status: one.status,
      question: one.input?.question ?? null,
      answer: one.input?.answer ?? null,
      groundTruth: one.input?.groundTruth ?? null,
      scores: Object.fromEntries(one.scores.map((score) => [score.metric, score.score])),
      error: one.error,
    })),
  });
}
