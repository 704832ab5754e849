import { api, project } from '../api.js';
import { badge, errorBox, fmt, h, when } from '../dom.js';
import { deletionsSection } from './memory-deletions.js';

/** Domain Memory: facts (search, verify / reject for approvers), learnings, behaviours, deletion requests (admins). */
export async function memoryPage(ctx, { params }) {
  const base = `${project(ctx.project)}/memory`;
  const query = new URLSearchParams({ limit: '50' });
  for (const key of ['q', 'status']) if (params.get(key)) query.set(key, params.get(key));
  const [facts, learnings, behaviours, deletions] = await Promise.all([
    api(`${base}/facts?${query}`),
    api(`${base}/learnings?limit=50`),
    api(`${base}/behaviours?limit=50`),
    deletionsSection(ctx, base),
  ]);
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
  const review = (fact, cell) => {
    if (!ctx.can('memory.verify') || fact.status !== 'proposed') return;
    const reason = h('input', { 'aria-label': `Reason for fact ${fact.factId}`, placeholder: 'reason' });
    const act = (what) => async () => {
      try {
        const body = reason.value ? { reason: reason.value } : what === 'reject' ? { reason: 'rejected' } : {};
        const updated = await api(`${base}/facts/${encodeURIComponent(fact.factId)}/${what}`, { method: 'POST', body });
        cell.replaceChildren(badge(updated.status ?? what));
      } catch (error) {
        cell.append(errorBox(error));
      }
    };
    cell.append(
      ' ',
      reason,
      h('button', { type: 'button', onclick: act('verify'), 'aria-label': `Verify fact ${fact.factId}` }, 'Verify'),
      h('button', { type: 'button', onclick: act('reject'), 'aria-label': `Reject fact ${fact.factId}` }, 'Reject'),
    );
  };
  const factRows = facts.items.map((f) => {
    const cell = h(
      'td',
      {},
      badge(f.status, f.status === 'verified' ? 'passed' : f.status === 'rejected' ? 'failed' : 'none'),
    );
    review(f, cell);
    return h(
      'tr',
      {},
      h('td', {}, `${f.subject} — ${f.predicate} — ${f.object}`),
      h('td', {}, f.kind),
      h('td', {}, fmt(f.verificationScore, 2)),
      h('td', {}, when(f.proposedAt)),
      cell,
    );
  });
  return h(
    'section',
    {},
    h('h1', {}, 'Memory'),
    h(
      'form',
      {
        class: 'filters',
        role: 'search',
        onsubmit: (event) => {
          event.preventDefault();
          const data = new URLSearchParams([...new FormData(event.target)].filter(([, v]) => v));
          location.hash = `#/memory?${data}`;
        },
      },
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'm-q' }, 'Search facts'),
        h('input', { id: 'm-q', name: 'q', type: 'search', value: params.get('q') ?? '' }),
      ),
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'm-status' }, 'Status'),
        h(
          'select',
          { id: 'm-status', name: 'status' },
          ['', 'proposed', 'verified', 'rejected'].map((s) =>
            h('option', { value: s, selected: s === (params.get('status') ?? '') }, s || 'any'),
          ),
        ),
      ),
      h('button', { type: 'submit' }, 'Search'),
    ),
    h('h2', {}, `Facts (${facts.items.length})`),
    h('table', { class: 'facts' }, head('Fact', 'Kind', 'Score', 'Proposed', 'Status'), h('tbody', {}, factRows)),
    h('h2', {}, 'Learnings'),
    h(
      'table',
      {},
      head('Dataset', 'Metric', 'Baseline mean', 'p10', 'Pass rate', 'Updated'),
      h(
        'tbody',
        {},
        learnings.items.map((l) =>
          h(
            'tr',
            {},
            h('td', {}, l.datasetKey),
            h('td', {}, l.metric),
            h('td', {}, fmt(l.baseline.mean)),
            h('td', {}, fmt(l.baseline.p10)),
            h('td', {}, fmt(l.baseline.passRate)),
            h('td', {}, when(l.updatedAt)),
          ),
        ),
      ),
    ),
    h('h2', {}, 'Behaviours'),
    h(
      'table',
      {},
      head('Trigger', 'Action', 'Success rate', 'Uses'),
      h(
        'tbody',
        {},
        behaviours.items.map((b) =>
          h(
            'tr',
            {},
            h('td', {}, b.trigger),
            h('td', {}, b.action),
            h('td', {}, fmt(b.successRate, 2)),
            h('td', {}, b.useCount),
          ),
        ),
      ),
    ),
    deletions,
  );
}
