import type {
  GateBaselineSource,
  GateRuleResult,
  JudgeSnapshot,
  MetricAggregate,
  MetricScore,
  VersionRef,
} from '@evalvault/contracts';
import type {
  CaseView,
  CaseViewStatus,
  RunCounts,
  RunSummary,
  RunUsage,
  RunVerdict,
  RunView,
  RunViewStatus,
} from '@evalvault/service-apis';

export { RUN_VIEW_STATUSES } from '@evalvault/service-apis';
export type {
  CaseView,
  CaseViewStatus,
  Page,
  RunCounts,
  RunSummary,
  RunUsage,
  RunView,
  RunViewStatus,
} from '@evalvault/service-apis';

export interface RunRow {
  run_id: string;
  project_id: string;
  status: RunViewStatus;
  dataset_id: string;
  dataset_name: string | null;
  dataset_version: number | null;
  dataset_content_hash: string;
  dataset_key: string;
  total_cases: number | null;
  evaluated_cases: number;
  failed_cases: number;
  metrics: string[];
  gate_rules: string[];
  gate_passed: boolean | null;
  gate_rules_result: GateRuleResult[] | null;
  aggregates: MetricAggregate[] | null;
  config_hash: string;
  labels: Record<string, string>;
  retry_of: string | null;
  failure_reason: string | null;
  failure_message: string | null;
  requested_by: string | null;
  requested_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  cost_usd: string;
  /** NULL on a run projected before usage was kept (until the read model is rebuilt); bigints arrive as text. */
  llm_requests: number | null;
  prompt_tokens: string | null;
  completion_tokens: string | null;
  cache_hits: number | null;
  prompt_ref: VersionRef | null;
  model_profile_ref: VersionRef | null;
  baseline_run_id: string | null;
  judge: JudgeSnapshot | null;
  memory_use: boolean;
  baseline_source: GateBaselineSource | null;
}

export interface CaseRow {
  case_index: number;
  case_id: string | null;
  status: CaseViewStatus;
  scores: MetricScore[];
  error_code: string | null;
  reason: string | null;
  line: number | null;
  duration_ms: number | null;
}

const iso = (date: Date | null): string | null => date?.toISOString() ?? null;
const counts = (row: RunRow): RunCounts => ({
  total: row.total_cases,
  evaluated: row.evaluated_cases,
  failed: row.failed_cases,
});

export function toRunView(row: RunRow): RunView {
  return {
    runId: row.run_id,
    projectId: row.project_id,
    status: row.status,
    counts: counts(row),
    metrics: row.metrics,
    aggregates: row.aggregates ?? [],
    gateRules: row.gate_rules,
    verdict: verdictOf(row),
    gate:
      row.gate_passed === null
        ? null
        : {
            passed: row.gate_passed,
            rules: row.gate_rules_result ?? [],
            baselineRunId: row.baseline_run_id,
            baselineSource: row.baseline_source,
          },
    memory: { use: row.memory_use },
    configHash: row.config_hash,
    lineage: {
      dataset: {
        id: row.dataset_id,
        name: row.dataset_name,
        version: row.dataset_version,
        contentHash: row.dataset_content_hash,
      },
      datasetKey: row.dataset_key,
      prompt: row.prompt_ref,
      modelProfile: row.model_profile_ref,
      judge: row.judge,
    },
    labels: row.labels,
    retryOf: row.retry_of,
    requestedBy: row.requested_by,
    requestedAt: row.requested_at.toISOString(),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    // numeric arrives as text (exact); dollars with 8 decimals fit a double for display.
    costUsd: Number(row.cost_usd),
    usage: usageOf(row),
    failure: row.failure_reason === null ? null : { reason: row.failure_reason, message: row.failure_message },
  };
}

function usageOf(row: RunRow): RunUsage | null {
  if (row.llm_requests === null || row.prompt_tokens === null || row.completion_tokens === null) return null;
  const [promptTokens, completionTokens] = [Number(row.prompt_tokens), Number(row.completion_tokens)];
  return {
    requests: row.llm_requests,
    promptTokens,
    completionTokens,
    totalTokens: promptTokens + completionTokens,
    cacheHits: row.cache_hits ?? 0,
    costUsd: Number(row.cost_usd),
  };
}

/** A run without gate rules has no gate, so its verdict is none from the start (none was ever to come). */
function verdictOf(row: RunRow): RunVerdict | null {
  if (row.gate_passed !== null) return row.gate_passed ? 'passed' : 'failed';
  return row.gate_rules.length === 0 && row.requested_at !== null ? 'none' : null;
}

export function toRunSummary(row: RunRow): RunSummary {
  return {
    runId: row.run_id,
    status: row.status,
    datasetKey: row.dataset_key,
    datasetName: row.dataset_name,
    datasetVersion: row.dataset_version,
    counts: counts(row),
    gatePassed: row.gate_passed,
    verdict: verdictOf(row),
    configHash: row.config_hash,
    labels: row.labels,
    requestedAt: row.requested_at.toISOString(),
    finishedAt: iso(row.finished_at),
  };
}

export function toCaseView(row: CaseRow): CaseView {
  return {
    caseIndex: row.case_index,
    caseId: row.case_id,
    status: row.status,
    scores: row.scores,
    durationMs: row.duration_ms,
    error: row.error_code === null ? null : { code: row.error_code, reason: row.reason ?? '', line: row.line },
  };
}
