import { api, project } from '../api.js';
import { h } from '../dom.js';
import { driftCard } from '../heatmap.js';
import { leaderboardCard } from '../leaderboard.js';

const SVG = 'http://www.w3.org/2000/svg';
const PARALLEL_REQUESTS = 8;

/** Each run's detail (lineage and aggregates are not in the list), a few requests at a time. */
async function runDetails(base, runIds) {
  const runs = [];
  for (let i = 0; i < runIds.length; i += PARALLEL_REQUESTS) {
    const batch = runIds.slice(i, i + PARALLEL_REQUESTS);
    runs.push(...(await Promise.all(batch.map((id) => api(`${base}/runs/${encodeURIComponent(id)}`)))));
  }
  return new Map(runs.map((run) => [run.runId, run]));
}

/** The schedules (null without schedules.read) and, for each, the latest 100 runs it started. */
async function scheduledRuns(ctx, base) {
  if (!ctx.can('schedules.read')) return { schedules: null, lists: [] };
  const schedules = (await api(`${base}/schedules`)).items;
  const lists = await Promise.all(
    schedules.map(async (s) => {
      const query = new URLSearchParams({ label: `evalvault.schedule=${s.scheduleId}`, limit: '100' });
      return (await api(`${base}/runs?${query}`)).items;
    }),
  );
  return { schedules, lists };
}

/** Registered datasets' names by id (a run's lineage has only the id); empty without registry.read. */
async function registeredDatasetNames(ctx, base) {
  if (!ctx.can('registry.read')) return new Map();
  const { items } = await api(`${base}/datasets?limit=100`);
  return new Map(items.map((d) => [d.id, d.name]));
}

/**
 * The project at a glance from its recent runs: the gate's pass rate per day, runs by status and dataset, the
 * leaderboard of model and prompt versions, and each schedule's metrics week by week.
 */
export async function dashboardPage(ctx) {
  const base = project(ctx.project);
  const [runs, { schedules, lists }, datasetNames] = await Promise.all([
    api(`${base}/runs?limit=100`).then((page) => page.items),
    scheduledRuns(ctx, base),
    registeredDatasetNames(ctx, base),
  ]);
  const completed = [...runs, ...lists.flat()].filter((run) => run.status === 'completed').map((run) => run.runId);
  const details = await runDetails(base, [...new Set(completed)]);
  const detailsOf = (summaries) => summaries.filter((r) => details.has(r.runId)).map((r) => details.get(r.runId));
  const runsBySchedule = new Map((schedules ?? []).map((s, i) => [s.scheduleId, detailsOf(lists[i])]));
  const decided = runs.filter((r) => r.verdict === 'passed' || r.verdict === 'failed');
  const byDay = new Map();
  for (const run of decided) {
    const day = run.requestedAt.slice(0, 10);
    const entry = byDay.get(day) ?? { passed: 0, total: 0 };
    entry.total += 1;
    if (run.verdict === 'passed') entry.passed += 1;
    byDay.set(day, entry);
  }
  const days = [...byDay.entries()].sort(([a], [b]) => a.localeCompare(b));
  const count = (key) => {
    const counts = new Map();
    for (const run of runs) counts.set(run[key] ?? 'pending', (counts.get(run[key] ?? 'pending') ?? 0) + 1);
    return [...counts.entries()];
  };
  const datasets = new Map();
  for (const run of decided) {
    const name = run.datasetName ?? run.datasetKey;
    const entry = datasets.get(name) ?? { passed: 0, total: 0 };
    entry.total += 1;
    if (run.verdict === 'passed') entry.passed += 1;
    datasets.set(name, entry);
  }
  const head = (...titles) =>
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        titles.map((t) => h('th', { scope: 'col' }, t)),
      ),
    );
  return h(
    'section',
    {},
    h('h1', {}, `Project ${ctx.project}`),
    h('p', { class: 'hint' }, `From the latest ${runs.length} runs.`),
    h('div', { class: 'card' }, h('h2', {}, 'Gate pass rate per day'), trend(days)),
    h(
      'div',
      { class: 'grid' },
      h(
        'div',
        { class: 'card' },
        h('h2', {}, 'Runs by status'),
        h(
          'table',
          {},
          head('Status', 'Runs'),
          h(
            'tbody',
            {},
            count('status').map(([k, v]) => h('tr', {}, h('td', {}, k), h('td', {}, v))),
          ),
        ),
      ),
      h(
        'div',
        { class: 'card' },
        h('h2', {}, 'Pass rate by dataset'),
        h(
          'table',
          {},
          head('Dataset', 'Passed', 'Decided'),
          h(
            'tbody',
            {},
            [...datasets.entries()].map(([k, v]) =>
              h('tr', {}, h('td', {}, k), h('td', {}, v.passed), h('td', {}, v.total)),
            ),
          ),
        ),
      ),
    ),
    leaderboardCard(detailsOf(runs), datasetNames),
    driftCard(schedules, runsBySchedule),
  );
}

function trend(days) {
  if (days.length === 0) return h('p', {}, 'No decided gate yet.');
  const width = Math.max(200, days.length * 40);
  const svg = document.createElementNS(SVG, 'svg');
  for (const [k, v] of Object.entries({
    viewBox: `0 0 ${width} 120`,
    width,
    height: 120,
    role: 'img',
    class: 'histogram',
  }))
    svg.setAttribute(k, String(v));
  const title = document.createElementNS(SVG, 'title');
  title.textContent = days.map(([d, e]) => `${d}: ${e.passed}/${e.total} passed`).join(', ');
  svg.append(title);
  days.forEach(([day, e], i) => {
    const rate = e.passed / e.total;
    const bar = document.createElementNS(SVG, 'rect');
    for (const [k, v] of Object.entries({
      x: i * 40 + 4,
      y: 100 - rate * 100,
      width: 32,
      height: Math.max(1, rate * 100),
      class: 'bar',
    }))
      bar.setAttribute(k, String(v));
    const label = document.createElementNS(SVG, 'text');
    for (const [k, v] of Object.entries({ x: i * 40 + 4, y: 115, class: 'axis' })) label.setAttribute(k, String(v));
    label.textContent = day.slice(5);
    svg.append(bar, label);
  });
  return svg;
}
