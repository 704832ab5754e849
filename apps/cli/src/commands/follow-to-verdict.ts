import { followRun } from '../api/follow-run.js';
import { MemoryApi } from '../api/memory-api.js';
import { outcomeOf } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { ProgressDisplay } from '../output/progress.js';
import { renderRunResult } from '../output/run-report-text.js';
import { memoryReportOf, type InsightsWait } from '../reports/memory-report.js';
import { writeReports, type ReportFiles } from '../reports/write-reports.js';
import type { Session } from '../session.js';

/**
 * Follows a submitted run to its verdict with a progress display, prints the results (with
 * Domain Memory's insights for a run that used memory), writes the requested reports and answers
 * the exit code (see exit-codes.ts), after one line saying why.
 */
export async function followToVerdict(
  session: Session,
  runId: string,
  io: CliIo,
  options: { timeoutMs: number; reports: ReportFiles; insightsWait?: InsightsWait },
): Promise<number> {
  const progress = new ProgressDisplay(io.stderr);
  let view;
  try {
    view = await followRun(session.runs, runId, (update) => progress.update(update), { timeoutMs: options.timeoutMs });
  } finally {
    progress.finish();
  }
  const cases = await session.runs.allCases(runId);
  // Never fails the report: insights that cannot be had are reported as unavailable.
  const memory = await memoryReportOf(view, new MemoryApi(session.client, session.project), options.insightsWait);
  io.stdout.write(renderRunResult(view, cases, memory));
  for (const path of await writeReports(options.reports, view, cases, memory))
    io.stderr.write(`evalvault: wrote ${path}\n`);
  const outcome = outcomeOf(view);
  io.stderr.write(`evalvault: ${outcome.reason}\n`);
  return outcome.exitCode;
}
