import { api, project } from '../api.js';
import { errorBox, h, when } from '../dom.js';

const ROLES = ['viewer', 'editor', 'approver', 'admin'];

/** Project administration (admin role): API keys (the secret shown once at creation; revoke) and members. */
export async function adminPage(ctx) {
  const base = project(ctx.project);
  const [keys, members] = await Promise.all([api(`${base}/api-keys`), api(`${base}/members`)]);
  const status = h('div', { 'aria-live': 'polite' });
  const reload = () => window.dispatchEvent(new HashChangeEvent('hashchange'));
  const run = async (action) => {
    try {
      await action();
    } catch (error) {
      status.replaceChildren(errorBox(error));
    }
  };
  const roleSelect = (id) =>
    h(
      'select',
      { id, name: 'role' },
      ROLES.map((r) => h('option', { value: r }, r)),
    );

  const createKey = h(
    'form',
    {
      class: 'filters',
      onsubmit: (event) => {
        event.preventDefault();
        const data = Object.fromEntries(new FormData(event.target));
        void run(async () => {
          const key = await api(`${base}/api-keys`, { method: 'POST', body: { name: data.name, role: data.role } });
          status.replaceChildren(
            h(
              'div',
              { class: 'card', role: 'status', 'data-testid': 'new-key' },
              h('p', {}, `Key "${key.name}" (${key.role}) created. Copy it now: it is never shown again.`),
              h('code', {}, key.key),
            ),
          );
          keyRows.prepend(keyRow(key));
        });
      },
    },
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'k-name' }, 'Key name'),
      h('input', { id: 'k-name', name: 'name', required: true }),
    ),
    h('div', { class: 'field' }, h('label', { for: 'k-role' }, 'Role'), roleSelect('k-role')),
    h('button', { type: 'submit' }, 'Create key'),
  );

  const keyRow = (k) =>
    h(
      'tr',
      {},
      h('td', {}, k.name),
      h('td', {}, k.role, k.tenantRoles?.length ? ` + ${k.tenantRoles.join(', ')}` : ''),
      h('td', {}, h('code', {}, k.prefix)),
      h('td', {}, when(k.createdAt)),
      h(
        'td',
        {},
        k.revokedAt ? `revoked ${when(k.revokedAt)}` : k.expiresAt ? `expires ${when(k.expiresAt)}` : 'active',
      ),
      h(
        'td',
        {},
        k.revokedAt
          ? ''
          : h(
              'button',
              {
                type: 'button',
                'aria-label': `Revoke key ${k.name}`,
                onclick: () =>
                  run(
                    async () => (
                      await api(`${base}/api-keys/${encodeURIComponent(k.apiKeyId)}`, { method: 'DELETE' }), reload()
                    ),
                  ),
              },
              'Revoke',
            ),
      ),
    );
  const keyRows = h('tbody', {}, keys.items.map(keyRow));

  const grant = h(
    'form',
    {
      class: 'filters',
      onsubmit: (event) => {
        event.preventDefault();
        const data = Object.fromEntries(new FormData(event.target));
        void run(async () => (await api(`${base}/members`, { method: 'POST', body: data }), reload()));
      },
    },
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'm-subject' }, 'Subject (OIDC sub)'),
      h('input', { id: 'm-subject', name: 'subject', required: true }),
    ),
    h('div', { class: 'field' }, h('label', { for: 'm-role' }, 'Role'), roleSelect('m-role')),
    h('button', { type: 'submit' }, 'Grant'),
  );
  const memberRows = members.items.map((m) =>
    h(
      'tr',
      {},
      h('td', {}, m.subject),
      h('td', {}, m.role),
      h('td', {}, `${when(m.grantedAt)} by ${m.grantedBy}`),
      h(
        'td',
        {},
        h(
          'button',
          {
            type: 'button',
            'aria-label': `Remove member ${m.subject}`,
            onclick: () =>
              run(
                async () => (
                  await api(`${base}/members/${encodeURIComponent(m.subject)}`, { method: 'DELETE' }), reload()
                ),
              ),
          },
          'Remove',
        ),
      ),
    ),
  );
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
    h('h1', {}, `Administration of project ${ctx.project}`),
    status,
    h('h2', {}, 'API keys'),
    createKey,
    h('table', { class: 'keys' }, head('Name', 'Role', 'Prefix', 'Created', 'State', 'Actions'), keyRows),
    h('h2', {}, 'Members'),
    grant,
    h('table', { class: 'members' }, head('Subject', 'Role', 'Granted', 'Actions'), h('tbody', {}, memberRows)),
  );
}
