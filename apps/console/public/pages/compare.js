import { api, project } from '../api.js';
import { deltaBar } from '../charts.js';
import { badge, fmt, h } from '../dom.js';

/**
 * Compare two or more runs: the first is the base, each other run a candidate (GET …/runs/{a}/compare/{b}):
 * per-metric means, the paired difference with its interval and significance, the cases that changed most.
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
  const comparisons = await Promise.all(
    candidates.map((c) => api(`${runsPath}/${encodeURIComponent(base)}/compare/${encodeURIComponent(c)}`)),
  );
  for (const comparison of comparisons) section.append(one(comparison));
  return section;
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
