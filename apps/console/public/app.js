import { api, credential, whenUnauthenticated } from './api.js';
import { h, errorBox } from './dom.js';
import { completeSignIn, forgetIssuerSession, isSignInAnswer, signOutAtIssuer } from './oidc.js';
import { signInPage } from './pages/signin.js';
import { runsPage } from './pages/runs.js';
import { runPage } from './pages/run.js';
import { submitPage } from './pages/submit.js';
import { comparePage } from './pages/compare.js';
import { auditPage } from './pages/audit.js';
import { adminPage } from './pages/admin.js';
import { registryPage } from './pages/registry.js';
import { memoryPage } from './pages/memory.js';
import { notificationsPage } from './pages/notifications.js';
import { dashboardPage } from './pages/dashboard.js';

/**
 * The console's shell: who is signed in (GET /v1/me), which project, and a hash router. Each page is a
 * function (ctx, params) → Element; `ctx.can(action)` asks the role matrix's answer from /v1/me.
 */
const view = document.getElementById('view');
const ctx = { me: null, project: null, can: () => false, stop: [] };
/** Why the sign-in page shows: an expired sign-in, a refused answer from the issuer. */
let notice = null;

const PAGES = [
  { pattern: /^#\/runs\/([^/?]+)$/, page: runPage, action: 'runs.read' },
  { pattern: /^#\/runs$/, page: runsPage, action: 'runs.read' },
  { pattern: /^#\/dashboard$/, page: dashboardPage, action: 'runs.read' },
  { pattern: /^#\/submit$/, page: submitPage, action: 'runs.submit' },
  { pattern: /^#\/compare$/, page: comparePage, action: 'runs.read' },
  { pattern: /^#\/audit$/, page: auditPage, action: 'audit.read' },
  { pattern: /^#\/admin$/, page: adminPage, action: 'access.read' },
  { pattern: /^#\/registry$/, page: registryPage, action: 'registry.read' },
  { pattern: /^#\/memory$/, page: memoryPage, action: 'memory.read' },
  { pattern: /^#\/notifications$/, page: notificationsPage, action: 'notifications.read' },
];

async function loadMe() {
  ctx.me = await api('/v1/me');
  const projects = Object.keys(ctx.me.projects);
  const stored = sessionStorage.getItem('evalvault.project');
  ctx.project = projects.includes(stored) ? stored : (projects[0] ?? null);
  ctx.can = (action) =>
    (ctx.project !== null && ctx.me.projects[ctx.project]?.actions.includes(action)) ||
    ctx.me.tenantActions.includes(action);
}

function renderChrome() {
  const nav = document.getElementById('nav');
  const who = document.getElementById('who');
  nav.replaceChildren();
  who.replaceChildren();
  if (!ctx.me) return;
  const links = [
    ctx.can('runs.read') && ['#/dashboard', 'Dashboard'],
    ctx.can('runs.read') && ['#/runs', 'Runs'],
    ctx.can('runs.submit') && ['#/submit', 'Submit a run'],
    ctx.can('runs.read') && ['#/compare', 'Compare'],
    ctx.can('registry.read') && ['#/registry', 'Registry'],
    ctx.can('memory.read') && ['#/memory', 'Memory'],
    ctx.can('notifications.read') && ['#/notifications', 'Notifications'],
    ctx.can('audit.read') && ['#/audit', 'Audit'],
    ctx.can('access.read') && ['#/admin', 'Admin'],
    ['/docs', 'API reference'],
  ].filter(Boolean);
  nav.append(
    h(
      'ul',
      {},
      links.map(([href, text]) => h('li', {}, h('a', { href }, text))),
    ),
  );
  const projects = Object.keys(ctx.me.projects);
  if (projects.length > 1) {
    const select = h(
      'select',
      {
        id: 'project',
        onchange: (e) => {
          ctx.project = e.target.value;
          sessionStorage.setItem('evalvault.project', ctx.project);
          void route();
        },
      },
      projects.map((p) => h('option', { value: p, selected: p === ctx.project }, p)),
    );
    who.append(h('label', { for: 'project' }, 'Project '), select);
  } else if (ctx.project) {
    who.append(h('span', {}, `Project ${ctx.project}`));
  }
  const roles = [...(ctx.me.projects[ctx.project]?.roles ?? []), ...ctx.me.tenantRoles];
  who.append(
    h('span', { class: 'roles', 'data-testid': 'roles' }, roles.join(', ') || 'no role'),
    h('button', { type: 'button', onclick: signOut }, 'Sign out'),
  );
}

/** Forgets the credential; a sign-in through the issuer is ended there too (the browser leaves, then comes back). */
function signOut() {
  credential.clear();
  ctx.me = null;
  notice = null;
  if (signOutAtIssuer()) return;
  location.hash = '#/signin';
  void route();
}

/** The credential lapsed (an access token's end, a revoked key): back to sign-in, where the user was. */
function signedOutBecause(message) {
  credential.clear();
  ctx.me = null;
  notice = new Error(message);
  void route();
}

whenUnauthenticated(() => {
  if (ctx.me) signedOutBecause('Your sign-in has ended (expired or revoked); sign in again.');
});

export async function route() {
  for (const stop of ctx.stop.splice(0)) stop();
  if (isSignInAnswer()) {
    try {
      await completeSignIn();
      ctx.me = null;
      notice = null;
    } catch (error) {
      notice = error;
    }
  }
  if (credential.get() && credential.expired()) {
    credential.clear();
    notice = new Error('Your sign-in has expired; sign in again.');
  }
  if (!credential.get()) {
    // A sign-in that ended on its own (expired, refused) leaves nothing to end at the issuer from here.
    forgetIssuerSession();
    ctx.me = null;
    renderChrome();
    return show(signInPage({ onSignedIn, error: notice }));
  }
  if (!ctx.me) {
    try {
      await loadMe();
    } catch (error) {
      credential.clear();
      return show(signInPage({ onSignedIn, error }));
    }
  }
  renderChrome();
  const home = ctx.can('runs.read') ? '#/runs' : ctx.can('audit.read') ? '#/audit' : null;
  const hash = location.hash.split('?')[0] || home;
  const match = PAGES.map((p) => ({ ...p, m: p.pattern.exec(hash ?? '') })).find((p) => p.m);
  if (!match) {
    if (home) location.hash = home;
    else show(h('p', {}, 'Your roles give you no page of this console yet.'));
    return;
  }
  if (!ctx.can(match.action)) {
    return show(h('p', { role: 'alert' }, 'Your roles do not allow this page.'));
  }
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  // A page that was signed out while it loaded leaves the sign-in page in place.
  const me = ctx.me;
  try {
    const page = await match.page(ctx, { id: match.m[1] ? decodeURIComponent(match.m[1]) : undefined, params });
    if (ctx.me === me) show(page);
  } catch (error) {
    if (ctx.me === me) show(errorBox(error));
  }
}

function show(element) {
  view.replaceChildren(element);
}

async function onSignedIn() {
  ctx.me = null;
  notice = null;
  await route();
}

window.addEventListener('hashchange', () => void route());
void route();
