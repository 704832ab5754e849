import { api, project } from '../api.js';
import { badge, errorBox, h, when } from '../dom.js';

const TRIGGERS = ['GateFailed', 'GatePassed', 'RunFailed'];
/** A secret reference must name this tenant and project: env:EVALVAULT_SECRET_<TENANT>__<PROJECT>__SLACK_<name>. */
const example = (tenant, project) =>
  JSON.stringify({
    type: 'slack',
    webhookUrlRef: `env:EVALVAULT_SECRET_${tenant.toUpperCase()}__${project.toUpperCase()}__SLACK_HOOK`,
  });

/** Notification routes (admins create and delete them) and the delivery log. */
export async function notificationsPage(ctx) {
  const base = project(ctx.project);
  const [routes, deliveries] = await Promise.all([
    api(`${base}/notification-routes`),
    api(`${base}/notifications?limit=100`),
  ]);
  const status = h('div', { 'aria-live': 'polite' });
  const reload = () => window.dispatchEvent(new HashChangeEvent('hashchange'));
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
  const manage = ctx.can('notifications.manage');

  const create = h(
    'form',
    {
      class: 'card submit',
      onsubmit: async (event) => {
        event.preventDefault();
        const form = new FormData(event.target);
        try {
          const body = {
            name: form.get('name'),
            on: form.getAll('on'),
            destination: JSON.parse(form.get('destination')),
          };
          await api(`${base}/notification-routes`, { method: 'POST', body });
          reload();
        } catch (error) {
          status.replaceChildren(errorBox(error));
        }
      },
    },
    h('h2', {}, 'New route'),
    h('label', { for: 'n-name' }, 'Name'),
    h('input', { id: 'n-name', name: 'name', required: true }),
    h(
      'fieldset',
      {},
      h('legend', {}, 'On'),
      TRIGGERS.map((t) =>
        h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'on', value: t }), ` ${t}`),
      ),
    ),
    h('label', { for: 'n-destination' }, 'Destination (JSON; secrets by reference, never the secret)'),
    h(
      'textarea',
      { id: 'n-destination', name: 'destination', rows: 3, required: true },
      example(ctx.me.tenantId, ctx.project),
    ),
    h('button', { type: 'submit' }, 'Create route'),
  );

  return h(
    'section',
    {},
    h('h1', {}, 'Notifications'),
    status,
    h('h2', {}, 'Routes'),
    h(
      'table',
      {},
      head('Name', 'On', 'Destination', 'Created', ''),
      h(
        'tbody',
        {},
        routes.items.map((r) =>
          h(
            'tr',
            {},
            h('td', {}, r.name),
            h('td', {}, r.on.join(', ')),
            h('td', {}, r.destination.type),
            h('td', {}, `${when(r.createdAt)} by ${r.createdBy}`),
            h(
              'td',
              {},
              manage
                ? h(
                    'button',
                    {
                      type: 'button',
                      'aria-label': `Delete route ${r.name}`,
                      onclick: async () => {
                        try {
                          await api(`${base}/notification-routes/${encodeURIComponent(r.routeId)}`, {
                            method: 'DELETE',
                          });
                          reload();
                        } catch (error) {
                          status.replaceChildren(errorBox(error));
                        }
                      },
                    },
                    'Delete',
                  )
                : '',
            ),
          ),
        ),
      ),
    ),
    manage ? create : null,
    h('h2', {}, 'Delivery log'),
    h(
      'table',
      {},
      head('When', 'Route', 'Trigger', 'Run', 'Status', 'Attempts', 'Error / link'),
      h(
        'tbody',
        {},
        deliveries.items.map((d) =>
          h(
            'tr',
            {},
            h('td', {}, when(d.updatedAt)),
            h('td', {}, `${d.routeName} (${d.destinationType})`),
            h('td', {}, `${d.triggerType} ${d.action}`),
            h('td', {}, h('a', { href: `#/runs/${encodeURIComponent(d.runId)}` }, d.runId.slice(0, 8))),
            h(
              'td',
              {},
              badge(d.status, d.status === 'delivered' ? 'passed' : d.status === 'failed' ? 'failed' : 'none'),
            ),
            h('td', {}, d.attempts),
            h('td', {}, d.lastError ?? (d.remoteUrl ? h('a', { href: d.remoteUrl }, d.remoteId ?? 'link') : '–')),
          ),
        ),
      ),
    ),
  );
}
