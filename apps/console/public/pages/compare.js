import { allPages, api, project } from '../api.js';
import { binCounts, deltaBar, histogram } from '../charts.js';
import { badge, fmt, h } from '../dom.js';

const CASE_LIMIT = 2_000;

/**
 * Compare two or more runs: the first is the base, each other run a candidate (GET …/runs/{a}/compare/{b}):
 * each metric's histograms side by side on one scale, per-metric means, the paired difference with its
 * interval and significance, the cases that changed most.
 */
export async function comparePage(ctx, { params }) {
  const ids = (params.get('runs') ?? '').split(',').filter(Boolean);
  const picker = h(
    'form',
    {
      class: 'filters',
      onsubmit: (event) => {
        event.preventDefault();
        const value = event.target
          .querySelector('input')
          .value.split(/[\s,]+/)
          .filter(Boolean);
        location.hash = `#/compare?runs=${value.map(encodeURIComponent).join(',')}`;
      },
    },
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'c-runs' }, 'Run ids (base first)'),
      h('input', { id: 'c-runs', value: ids.join(', '), size: 60 }),
    ),
    h('button', { type: 'submit' }, 'Compare'),
  );
  const section = h('section', {}, h('h1', {}, 'Compare runs'), picker);
  if (ids.length < 2) {
    section.append(h('p', {}, 'Select two or more runs on the Runs page, or enter their ids.'));
    return section;
  }
  const [base, ...candidates] = ids;
  const runsPath = `${project(ctx.project)}/runs`;
  const [comparisons, cases] = await Promise.all([
    Promise.all(candidates.map((c) => api(`${runsPath}/${encodeURIComponent(base)}/compare/${encodeURIComponent(c)}`))),
    Promise.all(ids.map((id) => allPages(`${runsPath}/${encodeURIComponent(id)}/cases`, CASE_LIMIT))),
  ]);
  const metrics = [...new Set(comparisons.flatMap((c) => c.metrics.map((m) => m.metric)))];
  section.append(distributions(ids, cases, metrics));
  for (const comparison of comparisons) section.append(one(comparison));
  return section;
}

/** Per metric, each run's histogram next to the others', every bar on the same count scale. */
function distributions(ids, cases, metrics) {
  const scoresOf = (runCases, metric) =>
    runCases.flatMap((c) => c.scores.filter((s) => s.metric === metric).map((s) => s.score));
  return h(
    'div',
    { class: 'card' },
    h('h2', {}, 'Distributions'),
    h('p', { class: 'hint' }, "Each metric: the runs' case scores in ten bins from 0 to 1, bars on one scale."),
    metrics.map((metric) => {
      const scores = cases.map((runCases) => scoresOf(runCases, metric));
      const scale = Math.max(1, ...scores.flatMap((runScores) => binCounts(runScores)));
      return h(
        'figure',
        { class: 'metric', 'data-metric': metric, 'data-scale': scale },
        h('figcaption', {}, h('strong', {}, metric), ` (full height: ${scale} cases)`),
        h(
          'div',
          { class: 'compare-hists' },
          ids.map((id, i) =>
            h(
              'figure',
              { 'data-run': id },
              h(
                'figcaption',
                {},
                i === 0 ? 'base ' : 'candidate ',
                h('code', {}, id.slice(0, 8)),
                `, ${scores[i].length} cases`,
              ),
              histogram(scores[i], { label: `${metric} in run ${id.slice(0, 8)}`, scale }),
            ),
          ),
        ),
      );
    }),
  );
}

function one(c) {
  const changes = c.configurationChanges.length ? c.configurationChanges.join('; ') : 'same configuration';
  return h(
    'article',
    { class: 'card comparison' },
    h('h2', {}, h('code', {}, c.base.runId.slice(0, 8)), ' → ', h('code', {}, c.candidate.runId.slice(0, 8))),
    h(
      'p',
      {},
      `${c.sharedCases} shared cases; ${changes}.`,
      c.regressions.length ? ` Regressed: ${c.regressions.join(', ')}.` : '',
    ),
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Metric', 'Base mean', 'Candidate mean', 'Δ mean', 'Δ interval (paired)', 'p-value', 'Verdict'].map((t) =>
            h('th', { scope: 'col' }, t),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        c.metrics.map((m) => {
          const p = m.paired;
          return h(
            'tr',
            {},
            h('td', {}, m.metric),
            h('td', {}, fmt(m.base?.mean)),
            h('td', {}, fmt(m.candidate?.mean)),
            h('td', {}, fmt(m.meanDelta)),
            h(
              'td',
              {},
              p
                ? [
                    deltaBar(p.interval.low, p.interval.high, p.meanDifference),
                    ` [${fmt(p.interval.low)}, ${fmt(p.interval.high)}] ${Math.round(p.interval.confidence * 100)}%`,
                  ]
                : '–',
            ),
            h('td', {}, p ? fmt(p.test.pValue, 4) : '–'),
            h(
              'td',
              {},
              p
                ? badge(p.verdict, p.verdict === 'regressed' ? 'failed' : p.verdict === 'improved' ? 'passed' : 'none')
                : '–',
            ),
          );
        }),
      ),
    ),
    h('h3', {}, 'Cases that changed most'),
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Metric', 'Case', 'Base', 'Candidate', 'Δ'].map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      h(
        'tbody',
        {},
        c.metrics.flatMap((m) =>
          (m.paired?.mostRegressed ?? []).map((x) =>
            h(
              'tr',
              {},
              h('td', {}, m.metric),
              h('td', {}, x.caseId),
              h('td', {}, fmt(x.base)),
              h('td', {}, fmt(x.candidate)),
              h('td', {}, fmt(x.difference)),
            ),
          ),
        ),
      ),
    ),
  );
}
