import { fmt, h } from './dom.js';
import { datasetsOf, leaderboard, metricsOf } from './trends.js';

const select = (id, label, options, onchange) =>
  h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    h(
      'select',
      { id, onchange },
      options.map(([value, text]) => h('option', { value }, text)),
    ),
  );

/**
 * The leaderboard card: completed runs of one dataset (the one with most runs first) grouped by model profile
 * and prompt versions, ranked by the chosen metric's mean; both choices re-rank without another request.
 * `datasetNames`: registered datasets' names by id.
 */
export function leaderboardCard(runs, datasetNames) {
  const card = h('div', { class: 'card' }, h('h2', {}, 'Leaderboard of model and prompt versions'));
  if (runs.length === 0) {
    card.append(h('p', {}, 'No completed run yet.'));
    return card;
  }
  const datasets = datasetsOf(runs, datasetNames);
  const state = { dataset: datasets[0].id, metric: null };
  const table = h('div', {});
  const metricField = h('div', {});
  const render = () => {
    const ofDataset = runs.filter((run) => run.lineage.dataset.id === state.dataset);
    const metrics = metricsOf(ofDataset);
    if (!metrics.includes(state.metric)) state.metric = metrics[0] ?? null;
    metricField.replaceChildren(
      select(
        'lb-metric',
        'Rank by',
        metrics.map((m) => [m, m]),
        (event) => {
          state.metric = event.target.value;
          render();
        },
      ),
    );
    metricField.querySelector('select').value = state.metric ?? '';
    const name = datasets.find((d) => d.id === state.dataset).name;
    table.replaceChildren(rankedTable(leaderboard(runs, state.dataset, state.metric), metrics, state.metric, name));
  };
  card.append(
    h(
      'p',
      { class: 'hint' },
      'Each row: the completed runs that pinned the same model profile and prompt versions; ',
      'each metric the mean of their run means.',
    ),
    h(
      'div',
      { class: 'filters' },
      select(
        'lb-dataset',
        'Dataset',
        datasets.map((d) => [d.id, `${d.name} (${d.runs} run${d.runs === 1 ? '' : 's'})`]),
        (event) => {
          state.dataset = event.target.value;
          render();
        },
      ),
      metricField,
    ),
    table,
  );
  render();
  return card;
}

function rankedTable(rows, metrics, rankBy, datasetName) {
  return h(
    'table',
    { class: 'leaderboard' },
    h('caption', { class: 'sr-only' }, `Model and prompt versions on ${datasetName}, ranked by mean ${rankBy}`),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Rank', 'Model profile', 'Prompt', 'Runs'].map((t) => h('th', { scope: 'col' }, t)),
        metrics.map((m) => h('th', { scope: 'col', 'aria-sort': m === rankBy ? 'descending' : null }, `mean ${m}`)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((row, i) =>
        h(
          'tr',
          {},
          h('td', {}, i + 1),
          h('th', { scope: 'row' }, row.modelProfile),
          h('td', {}, row.prompt),
          h('td', {}, row.runs),
          metrics.map((m) => h('td', { 'data-metric': m }, fmt(row.means[m]))),
        ),
      ),
    ),
  );
}
