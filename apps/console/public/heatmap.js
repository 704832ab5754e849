import { badge, fmt, h } from './dom.js';
import { changeLevel, weeklyMeans } from './trends.js';

const LEVELS = [
  ['down-strong', 'fell by the drift threshold or more'],
  ['down', 'fell'],
  ['flat', 'about the same'],
  ['up', 'rose'],
  ['up-strong', 'rose by the drift threshold or more'],
  ['first', 'first week'],
];

const signed = (value) => `${value < 0 ? '−' : '+'}${fmt(Math.abs(value))}`;

/**
 * The drift card: per schedule, its metrics × ISO weeks from the runs it started, each cell the week's mean
 * coloured by its change from the previous week against the schedule's drift threshold, and the metrics the
 * drift watcher finds drifting now. `schedules` null: the caller may not read schedules (no card).
 */
export function driftCard(schedules, runsBySchedule) {
  if (schedules === null) return null;
  const card = h('div', { class: 'card' }, h('h2', {}, 'Drift by week'));
  if (schedules.length === 0) {
    card.append(
      h(
        'p',
        { 'data-testid': 'no-schedules' },
        'No scheduled evaluation in this project yet. A schedule runs a dataset at each slot of a cron expression ',
        'and its drift watcher compares each run with the previous ones; once one has run, this shows each ',
        "metric's weekly mean and how it changed.",
      ),
    );
    return card;
  }
  card.append(
    h(
      'p',
      { class: 'hint' },
      "Each cell: the mean of the week's run means of the metric (UTC weeks) and its change from the previous week.",
    ),
    legend(),
    ...schedules.map((schedule) => scheduleHeatmap(schedule, runsBySchedule.get(schedule.scheduleId) ?? [])),
  );
  return card;
}

function legend() {
  return h(
    'ul',
    { class: 'heat-legend', 'aria-label': 'Colour legend' },
    LEVELS.map(([level, text]) => h('li', {}, h('span', { class: `heat heat-${level}`, 'aria-hidden': 'true' }), text)),
  );
}

/** One schedule's weeks as a table: a row per metric (drifting ones badged), a column per week. */
export function scheduleHeatmap(schedule, runs) {
  const { weeks, rows } = weeklyMeans(runs, schedule.metrics);
  const drifting = new Map(schedule.drifting.map((d) => [d.metric, d]));
  const title = h(
    'h3',
    {},
    schedule.name,
    ' ',
    badge(schedule.status, schedule.status === 'active' ? 'completed' : 'none'),
  );
  if (weeks.length === 0)
    return h('div', { 'data-schedule': schedule.scheduleId }, title, h('p', {}, 'No completed run yet.'));
  return h(
    'div',
    { 'data-schedule': schedule.scheduleId, class: 'heatmap-wrap' },
    title,
    h(
      'table',
      { class: 'heatmap' },
      h('caption', { class: 'sr-only' }, `Weekly means of ${schedule.name}'s metrics`),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Metric'),
          weeks.map((week) => h('th', { scope: 'col' }, week)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((row) =>
          h(
            'tr',
            { 'data-metric': row.metric },
            h('th', { scope: 'row' }, row.metric, driftNote(drifting.get(row.metric))),
            row.cells.map((cell) => heatCell(cell, schedule.drift.threshold)),
          ),
        ),
      ),
    ),
  );
}

function driftNote(drift) {
  if (!drift) return null;
  return h(
    'div',
    {},
    badge('drifting', 'failed'),
    h('span', { class: 'hint' }, ` since run ${drift.runId.slice(0, 8)}, baseline ${fmt(drift.baseline)}`),
  );
}

function heatCell(cell, threshold) {
  if (!cell) return h('td', { class: 'heat heat-empty' }, '–');
  const level = changeLevel(cell.change, threshold);
  return h(
    'td',
    { class: `heat heat-${level}`, 'data-level': level, title: `${cell.runs} run${cell.runs === 1 ? '' : 's'}` },
    h('span', { class: 'heat-mean' }, fmt(cell.mean)),
    cell.change === null ? null : h('span', { class: 'heat-change' }, ` ${signed(cell.change)}`),
  );
}
