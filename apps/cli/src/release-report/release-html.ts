import { pValue } from '../output/run-comparison-text.js';
import { score, signed } from '../output/table.js';
import { STATUS_ICON } from './release-markdown.js';
import type { ReleaseReport } from './release-report.js';
import { escapeHtml as e, trendSvg } from './trend-chart.js';

// Self-contained on purpose: the file is attached to CI results and opened offline, so no
// stylesheet, script, font or image is fetched from anywhere.
const STYLE = `body{font:14px/1.45 system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.8em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0}td,th{padding:.25em .6em;border-bottom:1px solid #eee;text-align:left;
vertical-align:middle}td.n{text-align:right;font-variant-numeric:tabular-nums}code{background:#f4f4f4;padding:0 .2em}
.verdict{padding:.7em 1em;border-radius:6px;font-weight:600}.ready{background:#e6f4ea}.attention{background:#fff4d6}
.blocked{background:#fde2e1}.incomplete{background:#eee}.changed{font-weight:600}.muted{color:#777;font-size:.9em}`;

const td = (text: string): string => `<td>${e(text)}</td>`;
const num = (text: string): string => `<td class="n">${e(text)}</td>`;
const row = (cells: readonly string[]): string => `<tr>${cells.join('')}</tr>`;
const head = (names: readonly string[]): string => `<tr>${names.map((n) => `<th>${e(n)}</th>`).join('')}</tr>`;

/** The same release notes as the Markdown, as one HTML file with inline SVG charts. Every text is escaped. */
export function renderReleaseHtml(report: ReleaseReport, generatedAt: string): string {
  const compared = report.baselineRunId
    ? `compared with <code>${e(report.baselineRunId)}</code> over ${report.sharedCases} shared cases`
    : 'no earlier run to compare with';
  const body = [
    `<h1>${STATUS_ICON[report.status]} Release report: run <code>${e(report.runId)}</code></h1>`,
    `<p class="verdict ${report.status}">${e(report.headline)}</p>`,
    report.reasons.length ? `<ul>${report.reasons.map((r) => `<li>failing rule ${e(r)}</li>`).join('')}</ul>` : '',
    `<p>Dataset <strong>${e(report.dataset)}</strong> · ${compared} · configuration changes: ` +
      `${report.configurationChanges.map((c) => `<code>${e(c)}</code>`).join(', ') || 'none'}</p>`,
    trend(report),
    changes(report),
    regressions(report),
    lineage(report),
    report.method ? `<p class="muted">${e(report.method)}</p>` : '',
    `<p class="muted">Generated ${e(generatedAt)} by evalvault report.</p>`,
  ];
  return (
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>Release report: run ${e(report.runId)}</title><style>${STYLE}</style></head>\n<body>\n` +
    `${body.filter(Boolean).join('\n')}\n</body></html>\n`
  );
}

function trend(report: ReleaseReport): string {
  if (report.trend.length === 0) return '';
  const runs = report.trend[0]!.points.length;
  const rows = report.trend.map(({ metric, points }) =>
    row([
      `<td><code>${e(metric)}</code></td>`,
      `<td>${trendSvg(metric, points)}</td>`,
      num(score(points[0]!.mean)),
      num(score(points.length > 1 ? points[points.length - 2]!.mean : null)),
      num(score(points[points.length - 1]!.mean)),
    ]),
  );
  return (
    `<h2>Trend over the last ${runs} run${runs === 1 ? '' : 's'}</h2>` +
    `<table>${head(['metric', 'mean (0 to 1)', 'first', 'previous', 'this run'])}${rows.join('')}</table>`
  );
}

function changes(report: ReleaseReport): string {
  if (report.baselineRunId === null) return '';
  if (report.changes.length === 0) return '<h2>Significant changes</h2><p>None: no metric moved significantly.</p>';
  const rows = report.changes.map((c) =>
    row([
      `<td><code>${e(c.metric)}</code></td>`,
      td(c.verdict === 'regressed' ? '🔻 regressed' : '🔺 improved'),
      num(signed(c.meanDifference)),
      num(`[${signed(c.low)}, ${signed(c.high)}]`),
      num(pValue(c.pValue)),
      num(signed(c.rankBiserial)),
      num(String(c.cases)),
    ]),
  );
  const names = ['metric', 'change', 'paired delta', 'interval', 'p-value', 'effect r', 'cases'];
  return `<h2>Significant changes</h2><table>${head(names)}${rows.join('')}</table>`;
}

function regressions(report: ReleaseReport): string {
  if (report.regressions.length === 0) return '';
  const sections = report.regressions.map(({ metric, cases }) => {
    const rows = cases.map((c) =>
      row([
        td(c.caseId),
        num(score(c.base)),
        num(score(c.candidate)),
        num(signed(c.difference)),
        td(c.explanation ?? '-'),
      ]),
    );
    return (
      `<h3><code>${e(metric)}</code></h3>` +
      `<table>${head(['case', 'before', 'now', 'change', 'why (this run)'])}${rows.join('')}</table>`
    );
  });
  return `<h2>Worst regressions</h2>${sections.join('')}`;
}

function lineage(report: ReleaseReport): string {
  const compared = report.baselineRunId !== null;
  const rows = report.lineage.map((line) => {
    const changed = compared && line.baseline !== line.run;
    return row([
      `<td${changed ? ' class="changed"' : ''}>${e(line.item)}${changed ? ' ✱' : ''}</td>`,
      `<td><code>${e(line.run)}</code></td>`,
      ...(compared ? [`<td><code>${e(line.baseline ?? '-')}</code></td>`] : []),
    ]);
  });
  const names = compared ? ['', 'this run', `baseline ${report.baselineRunId}`] : ['', 'this run'];
  const note = compared ? '<p class="muted">✱ differs from the baseline.</p>' : '';
  return `<h2>Lineage</h2><table>${head(names)}${rows.join('')}</table>${note}`;
}
