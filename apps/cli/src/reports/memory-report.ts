import type { GateBaselineSource } from '@evalvault/contracts';
import type { RunInsights, RunView } from '@evalvault/service-apis';
import { ApiError } from '../api/problem.js';
import { renderTable, score, signed } from '../output/table.js';

/**
 * What a report shows of Domain Memory for a run that used it: memory's insights (each metric
 * against its learned baseline, the failure patterns this run repeats), or why they could not
 * be had. A run without memory has none (null), and its report no Memory section.
 */
export type MemoryReport = { available: true; insights: RunInsights } | { available: false; reason: string };

export interface MemoryInsightsSource {
  insights(runId: string): Promise<RunInsights>;
}

export interface InsightsWait {
  /** How long to wait for memory to form from the run (its insights answer 404 until then). */
  timeoutMs: number;
  intervalMs: number;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
}

export const DEFAULT_INSIGHTS_WAIT: InsightsWait = {
  timeoutMs: 30_000,
  intervalMs: 500,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: Date.now,
};

const notFormedYet = (error: unknown): boolean => error instanceof ApiError && error.status === 404;

/**
 * Memory's insights of a finished run that used memory; null for a run that did not. Memory forms
 * from a run just after its verdict, so a 404 is waited out for a while. Anything else (the memory
 * service unreachable, an error) is reported as unavailable: the report goes on without them.
 */
export async function memoryReportOf(
  view: RunView,
  memory: MemoryInsightsSource,
  wait: InsightsWait = DEFAULT_INSIGHTS_WAIT,
): Promise<MemoryReport | null> {
  if (!view.memory?.use) return null;
  const deadline = wait.now() + wait.timeoutMs;
  for (;;) {
    try {
      return { available: true, insights: await memory.insights(view.runId) };
    } catch (error) {
      if (!notFormedYet(error))
        return { available: false, reason: `memory insights are unavailable: ${(error as Error).message}` };
      if (wait.now() >= deadline)
        return {
          available: false,
          reason:
            `memory insights are unavailable: memory has not formed from run ${view.runId} yet ` +
            `(see "evalvault memory insights ${view.runId}" later)`,
        };
      await wait.sleep(wait.intervalMs);
    }
  }
}

/** Which baseline the gate's baseline rules used, as one line; null when no rule named the baseline. */
export function gateBaselineLine(source: GateBaselineSource | null | undefined): string | null {
  if (!source) return null;
  if (source.kind !== 'memory') return null; // the run's baseline is named by baselineText
  if (source.learnings.length === 0) return 'gate baseline: memory, which has learned nothing of this dataset yet';
  const learnings = source.learnings.map(
    (l) => `${l.metric} (learning ${l.learningId.slice(0, 12)} v${l.version}, last run ${l.runId})`,
  );
  return `gate baseline: memory's learned baseline of ${learnings.join(', ')}`;
}

const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;

export function trendsTable(insights: RunInsights): string {
  return renderTable(
    [
      { header: 'metric' },
      { header: 'mean', align: 'right' },
      { header: 'learned', align: 'right' },
      { header: 'delta', align: 'right' },
      { header: 'trend' },
    ],
    insights.trends.map((t) => [t.metric, score(t.mean), score(t.baselineMean), signed(t.delta), t.direction]),
  );
}

export function repeatedPatternsLine(insights: RunInsights): string {
  const repeated = insights.repeatedFailurePatterns.map(
    (p) => `${p.dimension}=${p.value} (${plural(p.count, 'case')})`,
  );
  return `repeated failure patterns: ${repeated.length > 0 ? repeated.join(', ') : 'none'}`;
}

/** The terminal's Memory section: the gate's baseline, trends against learned baselines, repeated failures. */
export function memoryText(view: RunView, report: MemoryReport | null): string | null {
  if (!report) return null;
  const lines = ['Memory'];
  const baseline = gateBaselineLine(view.gate?.baselineSource);
  if (baseline) lines.push(baseline);
  if (!report.available) return [...lines, report.reason].join('\n');
  return [...lines, trendsTable(report.insights), repeatedPatternsLine(report.insights)].join('\n');
}

/** The Markdown report's Memory section, as lines (`cell` and `code` keep the table intact). */
export function memoryMarkdown(
  view: RunView,
  report: MemoryReport | null,
  cell: (text: string) => string,
  code: (text: string) => string,
): string[] {
  if (!report) return [];
  const lines = ['### Memory', ''];
  const baseline = gateBaselineLine(view.gate?.baselineSource);
  if (baseline) lines.push(`${cell(baseline.replace(/^gate baseline: /, 'Gate baseline: '))}.`, '');
  if (!report.available) return [...lines, `⚠️ ${cell(report.reason)}`, ''];
  const { insights } = report;
  lines.push('| metric | mean | learned | delta | trend |', '|---|---:|---:|---:|---|');
  for (const t of insights.trends)
    lines.push(
      `| ${cell(t.metric)} | ${score(t.mean)} | ${score(t.baselineMean)} | ${signed(t.delta)} | ${t.direction} |`,
    );
  const repeated = insights.repeatedFailurePatterns.map(
    (p) => `${code(`${p.dimension}=${p.value}`)} (${plural(p.count, 'case')})`,
  );
  lines.push('', `Repeated failure patterns: ${repeated.length > 0 ? repeated.join(', ') : 'none'}.`, '');
  return lines;
}

/** JUnit properties of the Memory section: the baseline used, each trend, the repeated patterns, or why none. */
export function memoryProperties(view: RunView, report: MemoryReport | null): [string, string][] {
  if (!report) return [];
  const baseline = gateBaselineLine(view.gate?.baselineSource);
  const properties: [string, string][] = [['memory', report.available ? 'used' : report.reason]];
  if (baseline) properties.push(['memory.baseline', baseline]);
  if (!report.available) return properties;
  for (const t of report.insights.trends)
    properties.push([
      `memory.trend.${t.metric}`,
      `${t.direction}: mean ${score(t.mean)}, learned ${score(t.baselineMean)}, delta ${signed(t.delta)}`,
    ]);
  properties.push(['memory.repeatedFailurePatterns', repeatedPatternsLine(report.insights).replace(/^[^:]+: /, '')]);
  return properties;
}
