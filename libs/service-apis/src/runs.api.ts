import type {
  GateBaselineSource,
  GateRuleResult,
  JudgeSnapshot,
  MetricAggregate,
  MetricScore,
  ProjectPolicy,
  VersionRef,
} from '@evalvault/contracts';
import type { ScheduleOperations } from './schedules.api.js';

/**
 * The runs service's internal API: what the gateway may ask of it, typed once for both
 * sides (the gateway's client and the service's handlers). Every operation runs for the
 * tenant and project of the signed internal identity that carries it.
 */
export interface SubmitRunRequest {
  /** Same key (per tenant and project) → same run: a retried request creates nothing new. */
  idempotencyKey?: string | null;
  dataset: { id: string; version: number; contentHash?: string } | { name: string; cases: unknown[] };
  metrics: string[];
  /**
   * Omitted, or without rules: the run has no gate (verdict `none`). missingBaseline: how a rule
   * against the baseline is judged when there is no baseline value, `fail` (default) or `pass`.
   */
  gate?: { rules: string[]; missingBaseline?: 'fail' | 'pass' } | null;
  /** Exact versions, resolved and checked by the gateway with the registry (see RegistryReference). */
  prompt?: VersionRef | null;
  modelProfile?: VersionRef | null;
  labels?: Record<string, string>;
  /** Rows of an inline dataset's file the client skipped as invalid: recorded as failed cases with their lines. */
  rejectedRows?: Array<{ line: number; reason: string; errorCode?: string }> | null;
  /**
   * Set by the gateway, never by a client: the project's policy as its owner (the registry) answered
   * at submission, which the run is checked against and pins; null or absent: no policy.
   */
  policy?: ProjectPolicy | null;
  /** Set by the gateway with the policy: the pinned model profile's `provider:model`, which the policy may limit. */
  modelProfileModel?: string | null;
  /**
   * `{use: true}`: `baseline` rules compare with Domain Memory's learned baseline of the dataset and
   * metric (not the last passing run), and the run's report shows memory's insights. Absent: not used.
   */
  memory?: { use: boolean } | null;
}

/** A run refused by its project's policy (a metric, a model or a cap it does not allow): an HTTP 422. */
export const POLICY_VIOLATION_STATUS = 422;

/** A retry is checked against the project's policy of now, which the gateway sends as for a submission. */
export interface RetryRunRequest {
  runId: string;
  mode: 'all' | 'failed';
  policy?: ProjectPolicy | null;
}

export interface SubmittedRun {
  runId: string;
  status: string;
  configHash: string;
}

export const RUN_VIEW_STATUSES = ['requested', 'running', 'completed', 'failed', 'cancelled'] as const;
export type RunViewStatus = (typeof RUN_VIEW_STATUSES)[number];
export type CaseViewStatus = 'evaluated' | 'failed';

export interface RunCounts {
  /** Null until the dataset has been read. */
  total: number | null;
  evaluated: number;
  failed: number;
}

export type RunVerdict = 'passed' | 'failed' | 'none';

/** One run as the API shows it. Times are ISO 8601 UTC with milliseconds. */
export interface RunView {
  runId: string;
  projectId: string;
  status: RunViewStatus;
  counts: RunCounts;
  metrics: string[];
  /** Empty until the run completed. */
  aggregates: MetricAggregate[];
  gateRules: string[];
  /** passed or failed: the gate's verdict; none: the run has no gate (no rules); null: not decided (yet). */
  verdict: RunVerdict | null;
  /**
   * Null until the verdict arrived. baselineRunId: the run `baseline` rules compared against;
   * null when no rule names the baseline, or there was no baseline yet (such rules say noBaseline).
   */
  gate: {
    passed: boolean;
    rules: GateRuleResult[];
    baselineRunId: string | null;
    /** Where baseline rules took their baseline: run or memory (with the learnings' versions); null: no such rule. */
    baselineSource: GateBaselineSource | null;
  } | null;
  /** How the run uses Domain Memory: `{use: true}` when submitted with it, else `{use: false}`. */
  memory: { use: boolean };
  configHash: string;
  /** What the run pinned: dataset, prompt and model profile versions, and the judge of LLM-judged metrics. */
  lineage: {
    dataset: VersionRef;
    datasetKey: string;
    prompt: VersionRef | null;
    modelProfile: VersionRef | null;
    judge: JudgeSnapshot | null;
  };
  labels: Record<string, string>;
  retryOf: string | null;
  requestedBy: string | null;
  requestedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** What its LLM calls cost, in USD (usage.costUsd): 0 for a run of deterministic metrics. */
  costUsd: number;
  /**
   * Its LLM use so far, then its totals once completed: every call its judge (lineage.judge) was billed for,
   * retried and failed cases' calls included. Null: a run projected before usage was kept, until the runs
   * read model is rebuilt.
   */
  usage: RunUsage | null;
  /** Why a failed or cancelled run stopped (reason "cancelled" for a cancellation). */
  failure: { reason: string; message: string | null } | null;
}

/** A run's LLM use: all zero for a run that made no LLM call. */
export interface RunUsage {
  /** Requests the provider answered and billed. */
  requests: number;
  promptTokens: number;
  completionTokens: number;
  /** promptTokens + completionTokens. */
  totalTokens: number;
  /** Judge answers taken from the response cache: no request, no tokens, no cost. */
  cacheHits: number;
  costUsd: number;
}

export interface RunSummary {
  runId: string;
  status: RunViewStatus;
  datasetKey: string;
  datasetName: string | null;
  datasetVersion: number | null;
  counts: RunCounts;
  gatePassed: boolean | null;
  /** As RunView.verdict: none when the run has no gate. */
  verdict: RunVerdict | null;
  configHash: string;
  labels: Record<string, string>;
  requestedAt: string;
  finishedAt: string | null;
}

export interface CaseView {
  caseIndex: number;
  caseId: string | null;
  status: CaseViewStatus;
  scores: MetricScore[];
  durationMs: number | null;
  error: { code: string; reason: string; line: number | null } | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ListRunsQuery {
  status?: string;
  datasetKey?: string;
  /** `key=value` */
  label?: string;
  limit?: number;
  cursor?: string;
}

export interface GetCasesQuery {
  runId: string;
  status?: string;
  limit?: number;
  cursor?: string;
}

/** A run as a comparison names it. */
export interface ComparedRun {
  runId: string;
  status: string;
  gatePassed: boolean | null;
  configHash: string;
}

/** One case both runs scored on a metric, the candidate's score minus the base's. */
export interface CaseScoreChange {
  caseId: string;
  base: number;
  candidate: number;
  difference: number;
}

/**
 * A metric over the cases both runs evaluated, matched by case id: the mean paired difference
 * (candidate − base) with a seeded paired bootstrap interval, a Wilcoxon signed-rank test, effect
 * sizes, and the cases that fell most. `verdict` is `regressed` or `improved` only when p < alpha.
 */
export interface PairedMetricComparison {
  cases: number;
  meanBase: number;
  meanCandidate: number;
  meanDifference: number;
  interval: { low: number; high: number; confidence: number; resamples: number; seed: number };
  test: { name: 'wilcoxon_signed_rank'; statistic: number; pValue: number; method: 'exact' | 'normal' };
  effectSize: { rankBiserial: number; cohensDz: number | null };
  verdict: 'regressed' | 'improved' | 'unchanged';
  alpha: number;
  mostRegressed: CaseScoreChange[];
}

export interface MetricComparison {
  metric: string;
  /** Each run's aggregate over all its cases; null when the run lacks the metric. */
  base: MetricAggregate | null;
  candidate: MetricAggregate | null;
  /** candidate.mean − base.mean over each run's own cases; null when either run lacks the metric. */
  meanDelta: number | null;
  /** Over the shared cases; null when no case was scored on the metric by both runs. */
  paired: PairedMetricComparison | null;
}

export interface RunComparison {
  base: ComparedRun;
  candidate: ComparedRun;
  /** What differs in what the two runs evaluated: dataset, prompt, modelProfile, judge, metrics, gateRules. */
  configurationChanges: string[];
  /** Cases evaluated by both runs (same case id); cases without an id cannot be matched. */
  sharedCases: number;
  metrics: MetricComparison[];
  /** Metrics whose paired verdict is `regressed`. */
  regressions: string[];
}

/** The runs service's operations, its schedules' included. */
export interface RunsOperations extends ScheduleOperations {
  submitRun: { input: SubmitRunRequest; output: SubmittedRun };
  cancelRun: { input: { runId: string; reason: string | null }; output: { runId: string; status: string } };
  retryRun: { input: RetryRunRequest; output: SubmittedRun };
  getRun: { input: { runId: string }; output: RunView };
  listRuns: { input: ListRunsQuery; output: Page<RunSummary> };
  getCases: { input: GetCasesQuery; output: Page<CaseView> };
  compareRuns: { input: { runId: string; otherRunId: string }; output: RunComparison };
}
