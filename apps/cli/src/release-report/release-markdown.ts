import { pValue } from '../output/run-comparison-text.js';
import { score, signed } from '../output/table.js';
import { cell, code } from '../reports/markdown-report.js';
import type { ReleaseReport, ReleaseStatus } from './release-report.js';
import { sparkline } from './trend-chart.js';

export const STATUS_ICON: Record<ReleaseStatus, string> = {
  ready: '✅',
  attention: '⚠️',
  blocked: '❌',
  incomplete: '⏸️',
};

/** The release notes of a run as Markdown: verdict, trend, significant changes, worst regressions, lineage. */
export function renderReleaseMarkdown(report: ReleaseReport, generatedAt: string): string {
  const lines = [
    `# ${STATUS_ICON[report.status]} Release report: run \`${report.runId}\``,
    '',
    `**Verdict:** ${cell(report.headline, 300)}`,
    ...report.reasons.map((reason) => `- failing rule ${code(reason)}`),
    '',
    `Dataset **${cell(report.dataset)}** · compared with ` +
      `${report.baselineRunId ? `\`${report.baselineRunId}\` over ${report.sharedCases} shared cases` : 'no run'} · ` +
      `configuration changes: ${report.configurationChanges.map(code).join(', ') || 'none'} · generated ${generatedAt}`,
    '',
    ...trend(report),
    ...changes(report),
    ...regressions(report),
    ...lineage(report),
  ];
  if (report.method) lines.push(`<sub>${cell(report.method, 600)}</sub>`, '');
  return `${lines.join('\n')}`;
}

function trend(report: ReleaseReport): string[] {
  if (report.trend.length === 0) return [];
  const runs = report.trend[0]!.points.length;
  const lines = [
    `## Trend over the last ${runs} run${runs === 1 ? '' : 's'}`,
    '',
    '| metric | trend | first | previous | this run |',
    '|---|---|---:|---:|---:|',
  ];
  for (const { metric, points } of report.trend) {
    const previous = points.length > 1 ? points[points.length - 2]!.mean : null;
    lines.push(
      `| ${code(metric)} | ${sparkline(points)} | ${score(points[0]!.mean)} | ${score(previous)} | ` +
        `${score(points[points.length - 1]!.mean)} |`,
    );
  }
  return [...lines, ''];
}

function changes(report: ReleaseReport): string[] {
  if (report.baselineRunId === null) return [];
  if (report.changes.length === 0) return ['## Significant changes', '', 'None: no metric moved significantly.', ''];
  const lines = [
    '## Significant changes',
    '',
    '| metric | change | paired delta | interval | p-value | effect r | cases |',
    '|---|---|---:|---|---:|---:|---:|',
  ];
  for (const c of report.changes)
    lines.push(
      `| ${code(c.metric)} | ${c.verdict === 'regressed' ? '🔻 regressed' : '🔺 improved'} | ` +
        `${signed(c.meanDifference)} | [${signed(c.low)}, ${signed(c.high)}] | ${pValue(c.pValue)} | ` +
        `${signed(c.rankBiserial)} | ${c.cases} |`,
    );
  return [...lines, ''];
}

function regressions(report: ReleaseReport): string[] {
  if (report.regressions.length === 0) return [];
  const lines = ['## Worst regressions', ''];
  for (const { metric, cases } of report.regressions) {
    lines.push(
      `### ${code(metric)}`,
      '',
      '| case | before | now | change | why (this run) |',
      '|---|---:|---:|---:|---|',
    );
    for (const c of cases)
      lines.push(
        `| ${cell(c.caseId)} | ${score(c.base)} | ${score(c.candidate)} | ${signed(c.difference)} | ` +
          `${cell(c.explanation ?? '-')} |`,
      );
    lines.push('');
  }
  return lines;
}

function lineage(report: ReleaseReport): string[] {
  const compared = report.baselineRunId !== null;
  const lines = [
    '## Lineage',
    '',
    compared ? `| | this run | baseline \`${report.baselineRunId}\` |` : '| | this run |',
    compared ? '|---|---|---|' : '|---|---|',
  ];
  for (const row of report.lineage) {
    const changed = compared && row.baseline !== row.run ? ' ✱' : '';
    const baseline = compared ? ` ${cell(row.baseline ?? '-')} |` : '';
    lines.push(`| ${row.item}${changed} | ${cell(row.run)} |${baseline}`);
  }
  if (compared) lines.push('', '✱ differs from the baseline.');
  return [...lines, ''];
}
