import type { MetricComparison, RunComparison } from '@evalvault/service-apis';
import { cell, code } from '../reports/markdown-report.js';
import { renderTable, score, signed } from './table.js';

/** A p-value as people read it: two significant digits, tiny ones in exponent form. */
export function pValue(p: number): string {
  return p < 0.0001 ? p.toExponential(1) : p.toPrecision(2);
}

const interval = (m: MetricComparison): string =>
  m.paired ? `[${signed(m.paired.interval.low)}, ${signed(m.paired.interval.high)}]` : '-';

function verdict(m: MetricComparison): string {
  if (!m.paired) return 'no shared cases';
  return m.paired.verdict === 'regressed'
    ? 'REGRESSED'
    : m.paired.verdict === 'improved'
      ? 'improved'
      : 'no sig. change';
}

const gate = (passed: boolean | null): string =>
  passed === null ? 'no verdict' : passed ? 'gate passed' : 'gate FAILED';

const confidenceOf = (comparison: RunComparison): string => {
  const first = comparison.metrics.find((m) => m.paired)?.paired;
  return first ? `${Math.round(first.interval.confidence * 100)}%` : '95%';
};

const ROW_HEADERS = ['metric', 'base mean', 'candidate mean', 'delta', 'paired delta', 'CI', 'p-value', 'effect r'];

function rows(comparison: RunComparison): string[][] {
  return comparison.metrics.map((m) => [
    m.metric,
    score(m.base?.mean),
    score(m.candidate?.mean),
    signed(m.meanDelta),
    m.paired ? signed(m.paired.meanDifference) : '-',
    interval(m),
    m.paired ? pValue(m.paired.test.pValue) : '-',
    m.paired ? signed(m.paired.effectSize.rankBiserial) : '-',
    verdict(m),
  ]);
}

/** The terminal view: both runs, what changed, a row per metric with its statistics, the cases that fell most. */
export function renderComparison(comparison: RunComparison): string {
  const confidence = confidenceOf(comparison);
  const lines = [
    `base      ${comparison.base.runId}  ${gate(comparison.base.gatePassed)}`,
    `candidate ${comparison.candidate.runId}  ${gate(comparison.candidate.gatePassed)}`,
    `configuration changes: ${comparison.configurationChanges.join(', ') || 'none'}`,
    `shared cases: ${comparison.sharedCases} (matched by case id; paired statistics are over these)`,
    '',
    renderTable(
      [
        ...ROW_HEADERS.map((header, index) => ({
          header: header === 'CI' ? `${confidence} CI` : header,
          ...(index > 0 ? { align: 'right' as const } : {}),
        })),
        { header: 'verdict' },
      ],
      rows(comparison),
    ),
  ];
  for (const m of comparison.metrics) {
    const worst = m.paired?.mostRegressed ?? [];
    if (worst.length === 0 || m.paired?.verdict !== 'regressed') continue;
    lines.push('', `most regressed on ${m.metric}:`);
    for (const change of worst)
      lines.push(
        `  ${change.caseId}  ${score(change.base)} -> ${score(change.candidate)}  (${signed(change.difference)})`,
      );
  }
  lines.push('', footnote(comparison));
  return `${lines.join('\n')}\n`;
}

function footnote(comparison: RunComparison): string {
  const first = comparison.metrics.find((m) => m.paired)?.paired;
  const method = first
    ? `${confidenceOf(comparison)} paired bootstrap interval (${first.interval.resamples} resamples, seed ` +
      `${first.interval.seed}); Wilcoxon signed-rank p-value; r = matched-pairs rank-biserial; ` +
      `a change counts at p < ${first.alpha}`
    : 'no case was evaluated by both runs: no paired statistics';
  const regressions = comparison.regressions.length
    ? `significant regressions: ${comparison.regressions.join(', ')}`
    : 'no significant regression';
  return `${regressions}\n(${method})`;
}

/** The same for a pull-request comment. */
export function renderComparisonMarkdown(comparison: RunComparison): string {
  const icon = comparison.regressions.length > 0 ? '❌' : '✅';
  const headline =
    comparison.regressions.length > 0
      ? `significant regression in ${comparison.regressions.map(code).join(', ')}`
      : 'no significant regression';
  const lines = [
    `## ${icon} EvalVault comparison: ${headline}`,
    '',
    `Base \`${comparison.base.runId}\` (${gate(comparison.base.gatePassed)}) · candidate ` +
      `\`${comparison.candidate.runId}\` (${gate(comparison.candidate.gatePassed)}) · ` +
      `${comparison.sharedCases} shared cases · configuration changes: ` +
      `${comparison.configurationChanges.map(code).join(', ') || 'none'}`,
    '',
    `| ${[...ROW_HEADERS.map((h) => (h === 'CI' ? `${confidenceOf(comparison)} CI` : h)), 'verdict'].join(' | ')} |`,
    `|---|${'---:|'.repeat(ROW_HEADERS.length - 1)}---|`,
    ...rows(comparison).map(
      (row) => `| ${row.map((value, index) => (index === 0 ? code(value) : cell(value))).join(' | ')} |`,
    ),
  ];
  for (const m of comparison.metrics) {
    if (m.paired?.verdict !== 'regressed' || m.paired.mostRegressed.length === 0) continue;
    lines.push(
      '',
      `<details><summary>Most regressed on ${code(m.metric)}</summary>`,
      '',
      '| case | base | candidate | change |',
      '|---|---:|---:|---:|',
    );
    for (const { caseId, base, candidate, difference } of m.paired.mostRegressed)
      lines.push(`| ${cell(caseId)} | ${score(base)} | ${score(candidate)} | ${signed(difference)} |`);
    lines.push('', '</details>');
  }
  lines.push('', footnote(comparison).replace('\n', ' '));
  return `${lines.join('\n')}\n`;
}
