import type { VersionRef } from '@evalvault/contracts';
import type { CaseView, MetricComparison, RunComparison, RunView } from '@evalvault/service-apis';
import { describeFailedRule } from '../exit-codes.js';
import { datasetLabel } from '../output/run-report-text.js';

/** What a release report is made from: the run, the runs before it on its dataset, and its comparison. */
export interface ReleaseReportInput {
  run: RunView;
  /** Earlier completed runs on the run's dataset, oldest first (the run itself not included). */
  history: readonly RunView[];
  /** The run compared with; null when there was none (a first run). */
  baseline: RunView | null;
  /** GET …/runs/{baseline}/compare/{run}; null without a baseline. */
  comparison: RunComparison | null;
  /** The run's cases: the explanations of its worst regressions. */
  cases: readonly CaseView[];
}

export type ReleaseStatus = 'ready' | 'blocked' | 'attention' | 'incomplete';

export interface TrendPoint {
  runId: string;
  requestedAt: string;
  mean: number | null;
}

export interface SignificantChange {
  metric: string;
  verdict: 'regressed' | 'improved';
  cases: number;
  meanDifference: number;
  low: number;
  high: number;
  pValue: number;
  rankBiserial: number;
}

export interface RegressedCase {
  caseId: string;
  base: number;
  candidate: number;
  difference: number;
  /** The run's explanation of its score, when the case is found. */
  explanation: string | null;
}

export interface LineageRow {
  item: string;
  run: string;
  baseline: string | null;
}

/** Everything a renderer shows, decided here once so the Markdown and the HTML tell the same story. */
export interface ReleaseReport {
  runId: string;
  dataset: string;
  status: ReleaseStatus;
  headline: string;
  /** Failing gate rules, described. */
  reasons: string[];
  baselineRunId: string | null;
  sharedCases: number;
  configurationChanges: string[];
  trend: Array<{ metric: string; points: TrendPoint[] }>;
  changes: SignificantChange[];
  regressions: Array<{ metric: string; cases: RegressedCase[] }>;
  lineage: LineageRow[];
  /** How the statistics were computed (confidence, resamples, seed, alpha); null without paired statistics. */
  method: string | null;
}

export function buildReleaseReport(input: ReleaseReportInput): ReleaseReport {
  const { run, comparison } = input;
  const regressed = comparison?.regressions ?? [];
  const { status, headline } = verdictOf(run, regressed, input.baseline !== null);
  return {
    runId: run.runId,
    dataset: datasetLabel(run),
    status,
    headline,
    reasons: (run.gate?.rules ?? []).filter((rule) => !rule.passed).map(describeFailedRule),
    baselineRunId: input.baseline?.runId ?? null,
    sharedCases: comparison?.sharedCases ?? 0,
    configurationChanges: comparison?.configurationChanges ?? [],
    trend: metricsOf(run).map((metric) => ({ metric, points: [...input.history, run].map((v) => pointOf(v, metric)) })),
    changes: (comparison?.metrics ?? []).flatMap(significantChange),
    regressions: (comparison?.metrics ?? [])
      .filter((m) => m.paired?.verdict === 'regressed' && m.paired.mostRegressed.length > 0)
      .map((m) => ({ metric: m.metric, cases: regressedCases(m, input.cases) })),
    lineage: lineageOf(run, input.baseline),
    method: methodOf(comparison),
  };
}

function verdictOf(run: RunView, regressed: readonly string[], compared: boolean) {
  if (run.status !== 'completed')
    return { status: 'incomplete' as const, headline: `not releasable: the run is ${run.status}` };
  if (run.verdict === null)
    return { status: 'incomplete' as const, headline: 'not releasable: the gate has not decided yet' };
  if (run.verdict === 'failed') return { status: 'blocked' as const, headline: 'not releasable: the gate failed' };
  const gate = run.verdict === 'passed' ? 'gate passed' : 'no gate';
  if (regressed.length > 0)
    return {
      status: 'attention' as const,
      headline: `${gate}, but a significant regression in ${regressed.join(', ')}`,
    };
  const against = compared ? 'no significant regression' : 'no earlier run to compare with';
  return { status: 'ready' as const, headline: `releasable: ${gate}, ${against}` };
}

/** The run's metrics in its own order, then any it has an aggregate for but did not name (none, normally). */
function metricsOf(run: RunView): string[] {
  return [...new Set([...run.metrics, ...run.aggregates.map((a) => a.metric)])];
}

function pointOf(view: RunView, metric: string): TrendPoint {
  const aggregate = view.aggregates.find((a) => a.metric === metric);
  return { runId: view.runId, requestedAt: view.requestedAt, mean: aggregate ? aggregate.mean : null };
}

function significantChange(m: MetricComparison): SignificantChange[] {
  const paired = m.paired;
  if (!paired || paired.verdict === 'unchanged') return [];
  return [
    {
      metric: m.metric,
      verdict: paired.verdict,
      cases: paired.cases,
      meanDifference: paired.meanDifference,
      low: paired.interval.low,
      high: paired.interval.high,
      pValue: paired.test.pValue,
      rankBiserial: paired.effectSize.rankBiserial,
    },
  ];
}

function regressedCases(m: MetricComparison, cases: readonly CaseView[]): RegressedCase[] {
  return (m.paired?.mostRegressed ?? []).map((change) => {
    const found = cases.find((item) => item.caseId === change.caseId);
    const score = found?.scores.find((s) => s.metric === m.metric);
    return { ...change, explanation: score?.explanation ?? null };
  });
}

const versionText = (ref: VersionRef | null): string =>
  ref === null
    ? 'none'
    : `${ref.name ?? ref.id} ${ref.version === null ? '(inline)' : `v${ref.version}`} ` +
      `sha256:${ref.contentHash.slice(0, 12)}`;

function lineageOf(run: RunView, baseline: RunView | null): LineageRow[] {
  const judge = (view: RunView): string =>
    view.lineage.judge ? `${view.lineage.judge.provider}:${view.lineage.judge.model}` : 'none';
  const rows: Array<[string, (view: RunView) => string]> = [
    ['dataset', (view) => versionText(view.lineage.dataset)],
    ['prompt', (view) => versionText(view.lineage.prompt)],
    ['model profile', (view) => versionText(view.lineage.modelProfile)],
    ['judge', judge],
    ['metrics', (view) => view.metrics.join(', ')],
    ['gate rules', (view) => view.gateRules.join('; ') || 'none'],
    ['config hash', (view) => view.configHash],
  ];
  return rows.map(([item, of]) => ({ item, run: of(run), baseline: baseline ? of(baseline) : null }));
}

function methodOf(comparison: RunComparison | null): string | null {
  const paired = comparison?.metrics.find((m) => m.paired)?.paired;
  if (!paired) return null;
  return (
    `paired over the cases both runs scored (matched by case id): ` +
    `${Math.round(paired.interval.confidence * 100)}% bootstrap interval of the mean difference ` +
    `(${paired.interval.resamples} resamples, seed ${paired.interval.seed}), Wilcoxon signed-rank p-value, ` +
    `r = matched-pairs rank-biserial; a change counts at p < ${paired.alpha}`
  );
}
