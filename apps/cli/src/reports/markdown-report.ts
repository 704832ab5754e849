import type { CaseView, RunView } from '@evalvault/service-apis';
import { outcomeOf } from '../exit-codes.js';
import {
  baselineText,
  caseName,
  datasetLabel,
  durationSeconds,
  thresholdText,
  weakestCases,
} from '../output/run-report-text.js';
import { score } from '../output/table.js';
import { memoryMarkdown, type MemoryReport } from './memory-report.js';

/** Text safe in a Markdown table cell: pipes escaped, one line, bounded. */
export function cell(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const clipped = flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  return clipped.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Inline code: no entity is decoded inside backticks, so only the table's pipes are escaped. */
export function code(text: string): string {
  return `\`${text.replace(/\s+/g, ' ').replace(/`/g, "'").replace(/\|/g, '\\|')}\``;
}

/** A summary for a pull-request comment: verdict first, then the gate, the metrics and what failed. */
export function renderMarkdown(view: RunView, cases: readonly CaseView[], memory: MemoryReport | null = null): string {
  const outcome = outcomeOf(view);
  const icon = view.verdict === 'none' ? '➖' : outcome.exitCode === 0 ? '✅' : '❌';
  const duration = durationSeconds(view);
  const took = duration === null ? '' : ` · ${duration.toFixed(1)} s`;
  const lines = [
    `## ${icon} EvalVault: ${cell(outcome.reason, 300)}`,
    '',
    `Dataset **${cell(datasetLabel(view))}** · run \`${view.runId}\` · ` +
      `${view.counts.total ?? '?'} cases (${view.counts.evaluated} evaluated, ${view.counts.failed} failed)${took} · ` +
      `config \`${view.configHash.slice(0, 12)}\``,
    '',
  ];
  const rules = view.gate?.rules ?? [];
  if (rules.length > 0) {
    lines.push('| gate rule | actual | threshold | result |', '|---|---:|---:|:---:|');
    for (const rule of rules) {
      const result = rule.passed ? '✅ pass' : '❌ fail';
      lines.push(`| ${code(rule.rule)} | ${score(rule.actual)} | ${thresholdText(rule)} | ${result} |`);
    }
    lines.push('');
  }
  const baseline = baselineText(view);
  if (baseline) lines.push(`Compared with ${baseline.replace(/(run )(\S+)$/, '$1`$2`')}.`, '');
  if (view.aggregates.length > 0) {
    lines.push('| metric | mean | p10 | p50 | min | max |', '|---|---:|---:|---:|---:|---:|');
    for (const a of view.aggregates)
      lines.push(
        `| ${cell(a.metric)} | ${score(a.mean)} | ${score(a.p10)} | ${score(a.p50)} | ` +
          `${score(a.min)} | ${score(a.max)} |`,
      );
    lines.push('');
  }
  lines.push(...memoryMarkdown(view, memory, cell, code));
  for (const rule of rules.filter((r) => !r.passed)) {
    const weakest = weakestCases(cases, rule);
    if (weakest.length === 0) continue;
    lines.push(
      `<details><summary>Lowest ${cell(rule.metric)} (${cell(rule.rule)})</summary>`,
      '',
      '| case | score | why |',
      '|---|---:|---|',
    );
    for (const w of weakest) lines.push(`| ${cell(caseName(w.item))} | ${score(w.score)} | ${cell(w.explanation)} |`);
    lines.push('', '</details>', '');
  }
  const failed = cases.filter((item) => item.status === 'failed');
  if (failed.length > 0) {
    lines.push(
      `<details><summary>${failed.length} case${failed.length === 1 ? '' : 's'} not evaluated</summary>`,
      '',
      '| case | line | reason |',
      '|---|---:|---|',
    );
    for (const item of failed.slice(0, 50))
      lines.push(`| ${cell(caseName(item))} | ${item.error?.line ?? '-'} | ${cell(item.error?.reason ?? '')} |`);
    lines.push('', '</details>', '');
  }
  return `${lines.join('\n')}`;
}
