import type { GateRuleResult } from '@evalvault/contracts';
import { parseGateRule } from '@evalvault/evaluation';
import type { CaseView, RunView } from '@evalvault/service-apis';
import { memoryText, type MemoryReport } from '../reports/memory-report.js';
import { clip, renderTable, score } from './table.js';

/** Seconds between two ISO times, or null. */
export function durationSeconds(view: RunView): number | null {
  if (!view.finishedAt) return null;
  return (Date.parse(view.finishedAt) - Date.parse(view.startedAt ?? view.requestedAt)) / 1000;
}

export function datasetLabel(view: RunView): string {
  const { dataset } = view.lineage;
  return dataset.name ?? dataset.id;
}

export function headline(view: RunView): string {
  const duration = durationSeconds(view);
  const { total, evaluated, failed } = view.counts;
  const took = duration === null ? '' : ` in ${duration.toFixed(1)} s`;
  return (
    `run ${view.runId}  ${view.status}${took}  dataset ${datasetLabel(view)}  ` +
    `${total ?? '?'} cases: ${evaluated} evaluated, ${failed} failed`
  );
}

export function aggregatesTable(view: RunView): string {
  const rows = view.aggregates.map((a) => [
    a.metric,
    String(a.count),
    score(a.mean),
    score(a.p10),
    score(a.p50),
    score(a.p90),
    score(a.min),
    score(a.max),
  ]);
  return renderTable(
    [
      { header: 'metric' },
      ...['cases', 'mean', 'p10', 'p50', 'p90', 'min', 'max'].map((header) => ({ header, align: 'right' as const })),
    ],
    rows,
  );
}

/** A rule's threshold as shown: `no baseline` when a baseline rule had nothing to compare with. */
export const thresholdText = (rule: GateRuleResult): string =>
  rule.noBaseline ? 'no baseline' : score(rule.threshold);

export function gateTable(view: RunView): string {
  const rules = view.gate?.rules ?? [];
  return renderTable(
    [
      { header: 'gate rule' },
      { header: 'actual', align: 'right' },
      { header: 'threshold', align: 'right' },
      { header: 'result' },
    ],
    rules.map((rule) => [rule.rule, score(rule.actual), thresholdText(rule), rule.passed ? 'pass' : 'FAIL']),
  );
}

function namesBaseline(rule: string): boolean {
  try {
    return parseGateRule(rule).threshold.kind === 'baseline';
  } catch {
    return false;
  }
}

/**
 * Which run the gate's `baseline` rules compared against, or that there was none yet; null when
 * no rule names the baseline (or there is no verdict).
 */
export function baselineText(view: RunView): string | null {
  if (!view.gate || !view.gate.rules.some((rule) => namesBaseline(rule.rule))) return null;
  const source = view.gate.baselineSource;
  if (source?.kind === 'memory') {
    const learned = source.learnings.map((l) => `${l.metric} v${l.version}`);
    return learned.length > 0 ? `memory's learned baseline (${learned.join(', ')})` : 'no learned baseline yet';
  }
  return view.gate.baselineRunId ? `baseline run ${view.gate.baselineRunId}` : 'no baseline yet';
}

export const caseName = (item: CaseView): string =>
  item.caseId ?? (item.error?.line ? `line ${item.error.line}` : `#${item.caseIndex + 1}`);

export function failedCasesTable(cases: readonly CaseView[], limit = 20): string {
  const failed = cases.filter((item) => item.status === 'failed');
  const rows = failed
    .slice(0, limit)
    .map((item) => [
      caseName(item),
      item.error?.line ? String(item.error.line) : '-',
      item.error?.code ?? '-',
      clip(item.error?.reason ?? '', 80),
    ]);
  const more = failed.length > limit ? `\n… and ${failed.length - limit} more` : '';
  return (
    renderTable(
      [{ header: 'case' }, { header: 'line', align: 'right' }, { header: 'code' }, { header: 'reason' }],
      rows,
    ) + more
  );
}

/**
 * The lowest-scoring cases that pull a failed rule down (those under its threshold, or
 * under the pass threshold of a pass_rate rule): where to look when the rule fails.
 */
export function weakestCases(
  cases: readonly CaseView[],
  rule: GateRuleResult,
  limit = 5,
): Array<{ item: CaseView; score: number; explanation: string }> {
  const below = caseThreshold(rule);
  return cases
    .flatMap((item) =>
      item.scores
        .filter((s) => s.metric === rule.metric)
        .map((s) => ({ item, score: s.score, explanation: s.explanation })),
    )
    .filter((entry) => below === null || entry.score < below)
    .sort((a, b) => a.score - b.score)
    .slice(0, limit);
}

function caseThreshold(rule: GateRuleResult): number | null {
  if (rule.comparator !== '>=' && rule.comparator !== '>') return null;
  try {
    return parseGateRule(rule.rule).passThreshold ?? rule.threshold;
  } catch {
    return rule.threshold;
  }
}

/** Everything a person wants to read once a run is over (with memory's insights for a run that used memory). */
export function renderRunResult(view: RunView, cases: readonly CaseView[], memory: MemoryReport | null = null): string {
  const parts = [headline(view)];
  if (view.aggregates.length > 0) parts.push(aggregatesTable(view));
  if (view.gate && view.gate.rules.length > 0) parts.push(gateTable(view));
  const baseline = baselineText(view);
  if (baseline) parts.push(`compared with ${baseline}`);
  if (view.verdict === 'none') parts.push('no gate was set: nothing was judged');
  const memorySection = memoryText(view, memory);
  if (memorySection) parts.push(memorySection);
  for (const rule of view.gate?.rules.filter((r) => !r.passed) ?? []) {
    const weakest = weakestCases(cases, rule);
    if (weakest.length === 0) continue;
    parts.push(
      renderTable(
        [{ header: `lowest ${rule.metric}` }, { header: 'score', align: 'right' }, { header: 'why' }],
        weakest.map((w) => [caseName(w.item), score(w.score), clip(w.explanation, 80)]),
      ),
    );
  }
  if (cases.some((item) => item.status === 'failed')) parts.push(failedCasesTable(cases));
  return `${parts.join('\n\n')}\n`;
}
