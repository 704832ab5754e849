import type { RunSummary, RunView } from '@evalvault/service-apis';
import type { RunsApi } from '../api/runs-api.js';
import type { ReleaseReportInput } from './release-report.js';

/** Pages of the run list read at most while looking for earlier runs (100 runs a page). */
const MAX_PAGES = 10;

export interface ReleaseInputOptions {
  /** The run to compare with; by default the latest completed run on the same dataset before it. */
  against?: string;
  /** How many earlier runs the trend shows. */
  last: number;
}

/**
 * Everything the report needs, through the public API: the run, its cases, the earlier completed
 * runs on its dataset (the list is newest first, so the first `last` requested before it), and
 * the comparison the API computes (paired statistics over shared cases) with the baseline.
 */
export async function gatherReleaseInput(
  runs: RunsApi,
  runId: string,
  options: ReleaseInputOptions,
): Promise<ReleaseReportInput> {
  const run = await runs.get(runId);
  const earlier = await earlierRuns(runs, run, options.last);
  const history = await Promise.all(earlier.reverse().map((summary) => runs.get(summary.runId)));
  const baselineId = options.against ?? history[history.length - 1]?.runId ?? null;
  const baseline =
    baselineId === null ? null : (history.find((v) => v.runId === baselineId) ?? (await runs.get(baselineId)));
  const comparison = baseline ? await runs.compare(baseline.runId, run.runId) : null;
  const cases = comparison?.regressions.length ? await runs.allCases(run.runId) : [];
  return { run, history, baseline, comparison, cases };
}

async function earlierRuns(runs: RunsApi, run: RunView, last: number): Promise<RunSummary[]> {
  const found: RunSummary[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES && found.length < last; page++) {
    const listed = await runs.list({ dataset: run.lineage.datasetKey, status: 'completed' }, 100, cursor);
    for (const item of listed.items)
      if (item.runId !== run.runId && item.requestedAt < run.requestedAt && found.length < last) found.push(item);
    cursor = listed.nextCursor ?? undefined;
    if (!cursor) break;
  }
  return found;
}
