import { api } from '../api.js';
import { errorBox, h, when } from '../dom.js';

/**
 * Deletion requests, for the roles that may see and file them (admins): the project's requests,
 * newest first, and a form that files one. The memory service carries a request out as it is filed
 * (there is no second approval step), so the form asks for an explicit confirmation first.
 */
export async function deletionsSection(ctx, base) {
  const canList = ctx.can('memory.deletions.read');
  const canFile = ctx.can('memory.forget');
  if (!canList && !canFile) return null;
  const list = h('div', { 'data-testid': 'deletions' });
  const refresh = async () => {
    if (!canList) return;
    try {
      list.replaceChildren(deletionsTable((await api(`${base}/deletions?limit=50`)).items));
    } catch (error) {
      list.replaceChildren(errorBox(error));
    }
  };
  await refresh();
  return h(
    'section',
    { 'aria-labelledby': 'deletions-title' },
    h('h2', { id: 'deletions-title' }, 'Deletion requests'),
    canFile ? deletionForm(base, refresh) : null,
    list,
  );
}

function deletionsTable(items) {
  if (items.length === 0) return h('p', {}, 'No deletion requests yet.');
  return h(
    'table',
    { class: 'deletions' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Request', 'Target', 'Entries removed', 'Requested by', 'When'].map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    h(
      'tbody',
      {},
      items.map((d) =>
        h(
          'tr',
          { 'data-request': d.requestId },
          h('td', {}, h('code', {}, d.requestId.slice(0, 8))),
          h('td', {}, d.target),
          h('td', {}, d.forgotten),
          h('td', {}, d.requestedBy ?? '?'),
          h('td', {}, when(d.requestedAt)),
        ),
      ),
    ),
  );
}

function deletionForm(base, refresh) {
  const status = h('p', { role: 'status', 'data-testid': 'deletion-result' });
  const target = h(
    'select',
    { id: 'del-target', name: 'target' },
    h('option', { value: 'subject' }, 'subject'),
    h('option', { value: 'document' }, 'document'),
  );
  const value = h('input', { id: 'del-value', name: 'value', required: true, maxlength: 1000 });
  const confirmed = h('input', { id: 'del-confirm', type: 'checkbox', required: true });
  const form = h(
    'form',
    {
      class: 'filters',
      onsubmit: async (event) => {
        event.preventDefault();
        status.replaceChildren();
        try {
          const result = await api(`${base}/deletions`, {
            method: 'POST',
            body: { target: target.value, value: value.value },
          });
          status.append(`Deletion ${result.requestId}: ${result.forgotten} entries forgotten for good.`);
          form.reset();
          await refresh();
        } catch (error) {
          status.append(errorBox(error));
        }
      },
    },
    h('div', { class: 'field' }, h('label', { for: 'del-target' }, 'Forget every entry about a'), target),
    h('div', { class: 'field' }, h('label', { for: 'del-value' }, 'Subject or document id'), value),
    h(
      'div',
      { class: 'field' },
      confirmed,
      h('label', { for: 'del-confirm' }, 'I understand this removes them for good, at once'),
    ),
    h('button', { type: 'submit' }, 'Request deletion'),
  );
  return h('div', {}, form, status);
}
