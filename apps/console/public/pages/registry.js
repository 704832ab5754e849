import { api, project } from '../api.js';
import { errorBox, h, when } from '../dom.js';
import { decisionCell } from './registry-decision.js';

const KINDS = [
  ['datasets', 'Datasets'],
  ['prompts', 'Prompts'],
  ['model-profiles', 'Model profiles'],
];

/** The registry: datasets, prompts and model profiles with their versions, prompt diffs, approval or rejection. */
export async function registryPage(ctx, { params }) {
  const kind = KINDS.some(([k]) => k === params.get('kind')) ? params.get('kind') : 'datasets';
  const base = `${project(ctx.project)}/${kind}`;
  const resources = (await api(`${base}?limit=100`)).items;
  const tabs = h(
    'nav',
    { 'aria-label': 'Registry kinds', class: 'row' },
    KINDS.map(([k, label]) =>
      h('a', { href: `#/registry?kind=${k}`, class: 'button', 'aria-current': k === kind ? 'page' : null }, label),
    ),
  );
  const list = resources.map((r) => {
    const body = h('div', {}, h('p', {}, 'Loading…'));
    const details = h(
      'details',
      {
        class: 'card',
        ontoggle: async () => {
          if (!details.open || details.dataset.loaded) return;
          details.dataset.loaded = 'yes';
          try {
            const versions = (await api(`${base}/${encodeURIComponent(r.id)}/versions?limit=100`)).items;
            body.replaceChildren(versionTable(ctx, base, r, versions));
          } catch (error) {
            body.replaceChildren(errorBox(error));
          }
        },
      },
      h('summary', {}, h('strong', {}, r.name), ` — latest v${r.latestVersion}, updated ${when(r.updatedAt)}`),
      body,
    );
    return details;
  });
  return h('section', {}, h('h1', {}, 'Registry'), tabs, list.length ? list : h('p', {}, 'Nothing registered yet.'));
}

function versionTable(ctx, base, resource, versions) {
  const sorted = [...versions].sort((a, b) => b.version - a.version);
  const rows = sorted.map((v, i) => {
    const previous = sorted[i + 1];
    const url = `${base}/${encodeURIComponent(resource.id)}/versions/${v.version}`;
    const cell = decisionCell(ctx, url, `${resource.name} v${v.version}`, v);
    return h(
      'tr',
      {},
      h('td', {}, `v${v.version}`),
      h('td', {}, h('code', {}, v.contentHash.slice(0, 12))),
      h('td', {}, `${when(v.registeredAt)} by ${v.registeredBy ?? '?'}`),
      h('td', {}, describe(v.details, previous?.details)),
      cell,
    );
  });
  const head = ['Version', 'Content hash', 'Registered', 'Content', 'Decision'];
  return h(
    'table',
    {},
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        head.map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    h('tbody', {}, rows),
  );
}

function describe(details, previous) {
  if ('caseCount' in details)
    return `${details.caseCount} cases${details.description ? `: ${details.description}` : ''}`;
  if ('provider' in details) return `${details.provider}:${details.model} ${JSON.stringify(details.parameters)}`;
  if (!previous) return h('pre', { class: 'diff' }, details.template);
  return h(
    'pre',
    { class: 'diff', 'aria-label': 'Changes from the previous version' },
    lineDiff(previous.template, details.template).map(([op, line]) =>
      h('span', { class: `diff-${op}` }, `${op} ${line}\n`),
    ),
  );
}

/** A line diff by longest common subsequence: ' ' kept, '-' removed, '+' added. Prompts are short. */
export function lineDiff(before, after) {
  const a = before.split('\n');
  const b = after.split('\n');
  const lcs = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push([' ', a[i]]);
      i++;
      j++;
    } else if (j < b.length && (i === a.length || lcs[i][j + 1] >= lcs[i + 1][j])) out.push(['+', b[j++]]);
    else out.push(['-', a[i++]]);
  }
  return out;
}
