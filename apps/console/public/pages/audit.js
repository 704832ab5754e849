import { api, ApiError, credential } from '../api.js';
import { errorBox, h, when } from '../dom.js';

const FILTERS = [
  ['actor', 'Actor', 'text'],
  ['resource', 'Resource (type:id)', 'text'],
  ['action', 'Action (event type)', 'text'],
  ['from', 'From', 'datetime-local'],
  ['to', 'To', 'datetime-local'],
];

/** The tenant's audit log (auditor role): filters, chain verification by replay, streamed export. */
export async function auditPage(_ctx, { params }) {
  const query = new URLSearchParams({ limit: '100' });
  for (const [name] of FILTERS) {
    const value = params.get(name);
    if (value) query.set(name, name === 'from' || name === 'to' ? new Date(value).toISOString() : value);
  }
  const page = await api(`/v1/audit?${query}`);
  const verification = h('div', { 'aria-live': 'polite' });
  const exportStatus = h('span', { 'aria-live': 'polite' });
  const filterQuery = () => new URLSearchParams([...query].filter(([k]) => k !== 'limit' && k !== 'cursor'));

  async function verify() {
    verification.replaceChildren(h('p', {}, 'Replaying the chain against the event store…'));
    try {
      const report = await api('/v1/audit/replay', { method: 'POST' });
      const d = report.firstDifference;
      verification.replaceChildren(
        h(
          'div',
          { class: `card ${report.status === 'verified' ? 'ok' : 'error'}`, 'data-testid': 'verification' },
          h('strong', {}, `Chain ${report.status}`),
          ` — ${report.counts.compared} entries compared, ${report.counts.pending} pending,`,
          ` head ${report.headHash ?? '–'}`,
          d
            ? h('p', {}, `Break at entry ${d.seq ?? '?'} (${d.kind}${d.field ? `, ${d.field}` : ''}): ${d.message}`)
            : null,
        ),
      );
    } catch (error) {
      verification.replaceChildren(errorBox(error));
    }
  }

  async function exportLog(format) {
    exportStatus.textContent = 'Exporting…';
    const response = await fetch(`/v1/audit/export?${filterQuery()}&format=${format}`, {
      headers: { authorization: `Bearer ${credential.get() ?? ''}` },
    });
    if (!response.ok) {
      exportStatus.replaceChildren(errorBox(new ApiError(response.status, await response.json().catch(() => null))));
      return;
    }
    const link = h(
      'a',
      { download: `audit.${format}`, href: URL.createObjectURL(await response.blob()) },
      `audit.${format}`,
    );
    exportStatus.replaceChildren('Ready: ', link);
    link.click();
  }

  return h(
    'section',
    {},
    h('h1', {}, 'Audit log'),
    h(
      'form',
      {
        class: 'filters',
        role: 'search',
        onsubmit: (event) => {
          event.preventDefault();
          const data = new URLSearchParams([...new FormData(event.target)].filter(([, v]) => v));
          location.hash = `#/audit?${data}`;
        },
      },
      FILTERS.map(([name, label, type]) =>
        h(
          'div',
          { class: 'field' },
          h('label', { for: `a-${name}` }, label),
          h('input', { id: `a-${name}`, name, type, value: params.get(name) ?? '' }),
        ),
      ),
      h('button', { type: 'submit' }, 'Filter'),
    ),
    h(
      'div',
      { class: 'row' },
      h('button', { type: 'button', onclick: verify }, 'Verify the chain'),
      h('button', { type: 'button', onclick: () => exportLog('jsonl') }, 'Export JSON Lines'),
      h('button', { type: 'button', onclick: () => exportLog('csv') }, 'Export CSV'),
      exportStatus,
    ),
    verification,
    h(
      'table',
      { class: 'audit' },
      h('caption', { class: 'sr-only' }, 'Audit entries, newest first'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['#', 'Time', 'Action', 'Outcome', 'Actor', 'Project', 'Resources'].map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      h(
        'tbody',
        {},
        page.items.map((e) =>
          h(
            'tr',
            {},
            h('td', {}, e.seq),
            h('td', {}, when(e.occurredAt)),
            h('td', {}, e.action),
            h('td', {}, e.outcome),
            h('td', {}, e.actor?.subject ?? '–'),
            h('td', {}, e.projectId),
            h('td', {}, e.resources.map((r) => `${r.type}:${r.id}`).join(' ')),
          ),
        ),
      ),
    ),
    page.nextCursor
      ? h('p', { class: 'hint' }, 'Showing the newest 100; narrow the filters or export for more.')
      : null,
  );
}
