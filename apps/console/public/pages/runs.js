import { api, followRun, project } from '../api.js';
import { badge, errorBox, h, when } from '../dom.js';

const STATUSES = ['', 'requested', 'running', 'completed', 'failed', 'cancelled'];
const VERDICTS = ['', 'passed', 'failed', 'none'];

/** Runs: filters (status, dataset, label on the server; verdict and dates here), live progress, cancel, retry. */
export async function runsPage(ctx, { params }) {
  const filter = Object.fromEntries(
    ['status', 'verdict', 'dataset', 'label', 'from', 'to'].map((k) => [k, params.get(k) ?? '']),
  );
  const query = new URLSearchParams({ limit: '50' });
  for (const key of ['status', 'dataset', 'label']) if (filter[key]) query.set(key, filter[key]);
  const base = `${project(ctx.project)}/runs`;
  const page = await api(`${base}?${query}`);
  const selected = new Set();
  const status = h('div', { 'aria-live': 'polite' });
  const compareButton = h('button', { type: 'button', disabled: true, onclick: () => compare() }, 'Compare selected');
  const compare = () => (location.hash = `#/compare?runs=${[...selected].map(encodeURIComponent).join(',')}`);

  const keep = (run) =>
    (!filter.verdict || (run.verdict ?? '') === filter.verdict) &&
    (!filter.from || run.requestedAt >= filter.from) &&
    (!filter.to || run.requestedAt.slice(0, 10) <= filter.to);

  const body = h('tbody');
  const addRows = (runs) => body.append(...runs.filter(keep).map((run) => row(run)));

  function row(run) {
    const progress = h('td', { 'data-label': 'Progress' }, progressText(run.counts));
    const statusCell = h('td', { 'data-label': 'Status' }, badge(run.status));
    const verdictCell = h('td', { 'data-label': 'Verdict' }, badge(run.verdict));
    const actions = h('td', { 'data-label': 'Actions' });
    const tr = h(
      'tr',
      { 'data-run': run.runId },
      h(
        'td',
        {},
        h('input', {
          type: 'checkbox',
          'aria-label': `Select run ${run.runId} to compare`,
          onchange: (e) => {
            if (e.target.checked) selected.add(run.runId);
            else selected.delete(run.runId);
            compareButton.disabled = selected.size < 2;
          },
        }),
      ),
      h(
        'td',
        { 'data-label': 'Run' },
        h('a', { href: `#/runs/${encodeURIComponent(run.runId)}` }, run.runId.slice(0, 8)),
      ),
      statusCell,
      verdictCell,
      h('td', { 'data-label': 'Dataset' }, datasetText(run)),
      progress,
      h(
        'td',
        { 'data-label': 'Labels' },
        Object.entries(run.labels ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(' '),
      ),
      h('td', { 'data-label': 'Requested' }, when(run.requestedAt)),
      actions,
    );
    const renderActions = (current) => {
      actions.replaceChildren();
      const live = current.status === 'requested' || current.status === 'running';
      if (live && ctx.can('runs.cancel'))
        actions.append(button(`Cancel`, `Cancel run ${current.runId}`, () => act(current.runId, 'cancel')));
      if (
        (current.status === 'failed' || current.status === 'cancelled' || current.counts.failed > 0) &&
        ctx.can('runs.retry')
      )
        actions.append(button('Retry', `Retry run ${current.runId}`, () => act(current.runId, 'retry')));
    };
    renderActions(run);
    if (run.status === 'requested' || run.status === 'running') {
      ctx.stop.push(
        followRun(ctx.project, run.runId, (event, data) => {
          if (event === 'progress') progress.replaceChildren(progressText(data.counts ?? data));
          if (event === 'done') {
            statusCell.replaceChildren(badge(data.status));
            verdictCell.replaceChildren(badge(data.verdict));
            progress.replaceChildren(progressText(data.counts));
            renderActions(data);
          }
        }),
      );
    }
    return tr;
  }

  async function act(runId, what) {
    try {
      const answer = await api(`${base}/${encodeURIComponent(runId)}/${what}`, { method: 'POST', body: {} });
      status.replaceChildren(
        h('p', { class: 'ok' }, `${what === 'retry' ? 'Retry submitted as' : 'Cancelling'} ${answer.runId}`),
      );
      location.hash = what === 'retry' ? `#/runs/${encodeURIComponent(answer.runId)}` : location.hash;
    } catch (error) {
      status.replaceChildren(errorBox(error));
    }
  }

  addRows(page.items);
  let cursor = page.nextCursor;
  const more = h(
    'button',
    {
      type: 'button',
      hidden: !cursor,
      onclick: async () => {
        const next = await api(`${base}?${new URLSearchParams({ ...Object.fromEntries(query), cursor })}`);
        addRows(next.items);
        cursor = next.nextCursor;
        more.hidden = !cursor;
      },
    },
    'Load more',
  );

  return h(
    'section',
    {},
    h('h1', {}, 'Runs'),
    filters(filter),
    status,
    h(
      'table',
      { class: 'runs' },
      h('caption', { class: 'sr-only' }, 'Runs of the project, newest first'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['', 'Run', 'Status', 'Verdict', 'Dataset', 'Progress', 'Labels', 'Requested', ''].map((t, i) =>
            h('th', { scope: 'col' }, t || h('span', { class: 'sr-only' }, i === 0 ? 'Select' : 'Actions')),
          ),
        ),
      ),
      body,
    ),
    body.children.length === 0 ? h('p', {}, 'No runs match.') : null,
    h('div', { class: 'row' }, compareButton, more),
  );
}

function filters(filter) {
  const field = (name, label, control) =>
    h('div', { class: 'field' }, h('label', { for: `f-${name}` }, label), control);
  const select = (name, values) =>
    h(
      'select',
      { id: `f-${name}`, name },
      values.map((v) => h('option', { value: v, selected: v === filter[name] }, v || 'any')),
    );
  const input = (name, type = 'text') => h('input', { id: `f-${name}`, name, type, value: filter[name] });
  return h(
    'form',
    {
      class: 'filters',
      role: 'search',
      onsubmit: (event) => {
        event.preventDefault();
        const data = new URLSearchParams([...new FormData(event.target)].filter(([, v]) => v));
        location.hash = `#/runs?${data}`;
      },
    },
    field('status', 'Status', select('status', STATUSES)),
    field('verdict', 'Verdict', select('verdict', VERDICTS)),
    field('dataset', 'Dataset', input('dataset')),
    field('label', 'Label (k=v)', input('label')),
    field('from', 'From', input('from', 'date')),
    field('to', 'To', input('to', 'date')),
    h('button', { type: 'submit' }, 'Filter'),
  );
}

const button = (text, label, onclick) => h('button', { type: 'button', 'aria-label': label, onclick }, text);

export function progressText(counts) {
  if (!counts) return '–';
  const done = (counts.evaluated ?? 0) + (counts.failed ?? 0);
  const total = counts.total ?? '?';
  return h(
    'span',
    {},
    h('progress', { max: counts.total ?? 1, value: done, 'aria-label': 'cases done' }),
    ` ${done}/${total}`,
  );
}

const datasetText = (run) =>
  run.datasetName ? `${run.datasetName}${run.datasetVersion ? ` v${run.datasetVersion}` : ''}` : run.datasetKey;
