/**
 * The dashboard's figures from runs as the API shows them (GET …/runs/{id}): no DOM here, so the page and
 * its tests compute them the same way.
 */
const DAY_MS = 86_400_000;

const mean = (values) => values.reduce((sum, v) => sum + v, 0) / values.length;

/** Monday 00:00 UTC of the ISO week of an instant. */
function mondayOf(iso) {
  const date = new Date(iso);
  const day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  return day - ((date.getUTCDay() + 6) % 7) * DAY_MS;
}

/** The ISO 8601 week of an instant in UTC, e.g. 2026-W01: weeks start on Monday; a week's Thursday names its year. */
export function isoWeek(iso) {
  const thursday = new Date(mondayOf(iso) + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** A pinned registry version as a label: `name v3`, or `none` when the run named none. */
export const versionLabel = (ref) => (ref ? `${ref.name ?? ref.id} v${ref.version}` : 'none');

const versionKey = (ref) => (ref ? `${ref.id}@${ref.version}` : '-');

/** The metrics any of the runs aggregated, in name order. */
export function metricsOf(runs) {
  return [...new Set(runs.flatMap((run) => run.aggregates.map((a) => a.metric)))].sort();
}

/**
 * The datasets of completed runs, most runs first: the leaderboard ranks versions on one dataset at a time. A
 * run's lineage names only an inline dataset; `names` (id → name, from the registry) the registered ones.
 */
export function datasetsOf(runs, names = new Map()) {
  const counts = new Map();
  for (const run of runs) {
    const { id, name } = run.lineage.dataset;
    const entry = counts.get(id) ?? { id, name: names.get(id) ?? name ?? id, runs: 0 };
    entry.runs += 1;
    counts.set(id, entry);
  }
  return [...counts.values()].sort((a, b) => b.runs - a.runs || a.name.localeCompare(b.name));
}

/**
 * Completed runs of one dataset grouped by the model profile and prompt versions they pinned: per group the
 * run count and, per metric, the mean of its runs' means; ranked by `rankBy`, highest first (a group without
 * the metric last; ties: more runs first).
 */
export function leaderboard(runs, datasetId, rankBy) {
  const groups = new Map();
  for (const run of runs.filter((r) => r.lineage.dataset.id === datasetId)) {
    const { modelProfile, prompt } = run.lineage;
    const key = `${versionKey(modelProfile)}|${versionKey(prompt)}`;
    const group = groups.get(key) ?? {
      modelProfile: versionLabel(modelProfile),
      prompt: versionLabel(prompt),
      runIds: [],
      scores: new Map(),
    };
    group.runIds.push(run.runId);
    for (const a of run.aggregates) group.scores.set(a.metric, [...(group.scores.get(a.metric) ?? []), a.mean]);
    groups.set(key, group);
  }
  const rows = [...groups.values()].map(({ scores, ...group }) => ({
    ...group,
    runs: group.runIds.length,
    means: Object.fromEntries([...scores.entries()].map(([metric, values]) => [metric, mean(values)])),
  }));
  const score = (row) => row.means[rankBy] ?? Number.NEGATIVE_INFINITY;
  return rows.sort((a, b) => score(b) - score(a) || b.runs - a.runs);
}

/**
 * A schedule's completed runs as metric × ISO week (the last `maxWeeks` weeks from its first run to its last,
 * weeks without a run included): each cell the mean of that week's run means and its change from the
 * metric's previous week with a mean (null for the first), or null when no run of the week scored the metric.
 */
export function weeklyMeans(runs, metrics, maxWeeks = 12) {
  if (runs.length === 0) return { weeks: [], rows: metrics.map((metric) => ({ metric, cells: [] })) };
  const mondays = runs.map((run) => mondayOf(run.requestedAt));
  const last = Math.max(...mondays);
  const first = Math.max(Math.min(...mondays), last - (maxWeeks - 1) * 7 * DAY_MS);
  const weeks = [];
  for (let monday = first; monday <= last; monday += 7 * DAY_MS) weeks.push(isoWeek(new Date(monday).toISOString()));
  const rows = metrics.map((metric) => {
    let previous = null;
    const cells = weeks.map((week) => {
      const means = runs
        .filter((run) => isoWeek(run.requestedAt) === week)
        .flatMap((run) => run.aggregates.filter((a) => a.metric === metric).map((a) => a.mean));
      if (means.length === 0) return null;
      const value = mean(means);
      const cell = { week, mean: value, runs: means.length, change: previous === null ? null : value - previous };
      previous = value;
      return cell;
    });
    return { metric, cells };
  });
  return { weeks, rows };
}

/**
 * How a week's change reads against the schedule's drift threshold: a drop or rise of at least the threshold
 * is strong, of at least a fifth of it mild, anything smaller flat; `first` when there is no earlier week.
 */
export function changeLevel(change, threshold) {
  if (change === null) return 'first';
  const size = Math.abs(change);
  if (size < threshold / 5) return 'flat';
  return `${change < 0 ? 'down' : 'up'}${size >= threshold ? '-strong' : ''}`;
}
