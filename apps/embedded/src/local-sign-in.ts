import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { LocalUsers } from './local-users.js';

/** oidc-provider's default interaction URL: where an authorization request is sent to sign in, then to consent. */
const INTERACTION = /^\/interaction\/([A-Za-z0-9_-]+)(\/abort)?(?:\?.*)?$/;
const MAX_FORM_BYTES = 16 * 1024;
const START_AGAIN = 'start again from evalvault login or the console';
/** The same words for an unknown user, a wrong password and a refused name: a refusal tells nothing more. */
export const REFUSED = 'Wrong user name or password.';

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;
type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The sign-in and consent screens of the local issuer, in place of oidc-provider's development
 * screens (which accept any name and no password). Requests for other paths go to the provider.
 */
export function withSignInPages(provider: Provider, users: LocalUsers, next: Handler): Handler {
  return (req, res) => {
    const match = INTERACTION.exec(req.url ?? '');
    if (!match) return next(req, res);
    interact(provider, users, req, res, match[1]!, Boolean(match[2])).catch((error: unknown) => {
      const status = (error as { status?: number }).status;
      // oidc-provider's own errors (an expired or missing interaction) may be shown; anything else is not.
      const known = status !== undefined && status < 500;
      if (!res.headersSent)
        page(
          res,
          known ? status : 500,
          'Sign-in',
          `<p>${escape(known ? describe(error) : `Sign-in failed; ${START_AGAIN}.`)}</p>`,
        );
      else res.destroy();
    });
  };
}

async function interact(
  provider: Provider,
  users: LocalUsers,
  req: IncomingMessage,
  res: ServerResponse,
  uid: string,
  abort: boolean,
): Promise<void> {
  const interaction = await provider.interactionDetails(req, res);
  // The interaction comes from the cookie: a page for another one is a stale tab or a forged link.
  if (interaction.uid !== uid) return page(res, 400, 'Sign-in', '<p>This sign-in page has expired; start again.</p>');
  if (abort) {
    return provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: 'End-User aborted interaction' },
      { mergeWithLastSubmission: false },
    );
  }
  const prompt = interaction.prompt.name;
  if (prompt !== 'login' && prompt !== 'consent')
    return page(res, 501, 'Sign-in', `<p>Unsupported prompt ${escape(prompt)}.</p>`);
  if (req.method === 'GET') return prompt === 'login' ? loginPage(res, uid) : consentPage(res, uid, interaction);
  if (req.method !== 'POST') return page(res, 405, 'Sign-in', '<p>Method not allowed.</p>');
  const form = await formBody(req);
  if (prompt === 'consent')
    return provider.interactionFinished(
      req,
      res,
      { consent: { grantId: await grantFor(provider, interaction) } },
      { mergeWithLastSubmission: true },
    );
  const login = form.get('login') ?? '';
  const subject = await users.verify(login, form.get('password') ?? '');
  if (!subject) return loginPage(res, uid, login, REFUSED);
  return provider.interactionFinished(req, res, { login: { accountId: subject } }, { mergeWithLastSubmission: false });
}

/** What the consent prompt found missing, granted: this issuer's clients, the CLI and the console, are first party. */
async function grantFor(provider: Provider, interaction: Interaction): Promise<string> {
  const { details } = interaction.prompt;
  const grant = interaction.grantId
    ? (await provider.Grant.find(interaction.grantId))!
    : new provider.Grant({
        accountId: interaction.session!.accountId,
        clientId: interaction.params['client_id'] as string,
      });
  if (details['missingOIDCScope']) grant.addOIDCScope((details['missingOIDCScope'] as string[]).join(' '));
  if (details['missingOIDCClaims']) grant.addOIDCClaims(details['missingOIDCClaims'] as string[]);
  for (const [indicator, scopes] of Object.entries(
    (details['missingResourceScopes'] ?? {}) as Record<string, string[]>,
  )) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  return grant.save();
}

function loginPage(res: ServerResponse, uid: string, login = '', refusal?: string): void {
  page(
    res,
    refusal ? 401 : 200,
    'Sign in to EvalVault',
    `
    ${refusal ? `<p role="alert">${escape(refusal)}</p>` : ''}
    <form method="post" action="/interaction/${uid}" autocomplete="off">
      <input type="hidden" name="prompt" value="login">
      <label>User name <input required name="login" value="${escape(login)}" ${login ? '' : 'autofocus'}></label>
      <label>Password <input required type="password" name="password" ${login ? 'autofocus' : ''}></label>
      <button type="submit">Sign in</button>
    </form>
    <p>First start: user <code>admin</code>, password in <code>secrets/admin-password</code> of the data directory.</p>
    <p><a href="/interaction/${uid}/abort">Cancel</a></p>`,
  );
}

function consentPage(res: ServerResponse, uid: string, interaction: Interaction): void {
  const client = escape(String(interaction.params['client_id']));
  const account = escape(interaction.session?.accountId ?? '');
  page(
    res,
    200,
    'Allow access',
    `
    <p><code>${client}</code> asks to call the EvalVault API as <code>${account}</code>.</p>
    <form method="post" action="/interaction/${uid}">
      <input type="hidden" name="prompt" value="consent">
      <button type="submit">Allow</button>
    </form>
    <p><a href="/interaction/${uid}/abort">Cancel</a></p>`,
  );
}

const STYLE =
  'body{font-family:sans-serif;max-width:24rem;margin:3rem auto}' +
  'label,input,button{display:block;width:100%;margin:.4rem 0}';

/** The headers of every page of the issuer's own. */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  // No script, no framing (a framed sign-in page invites clickjacking). No form-action: the
  // authorization's redirect to the CLI's loopback port or to the console must not be blocked.
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
} as const;

/** A page of the issuer's own: a title and trusted markup (every value in it escaped by the caller). */
export function pageHtml(title: string, body: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>${STYLE}</style>
</head><body><h1>${escape(title)}</h1>${body}</body></html>`;
}

function page(res: ServerResponse, status: number, title: string, body: string): void {
  res.writeHead(status, PAGE_HEADERS);
  res.end(pageHtml(title, body));
}

async function formBody(req: IncomingMessage): Promise<URLSearchParams> {
  if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? ''))
    throw httpError(415, 'expected a form');
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw httpError(413, 'form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function httpError(status: number, message: string): Error {
  return Object.assign(new Error(message), { status, error_description: message });
}

function describe(error: unknown): string {
  const { error_description: description, message } = error as { error_description?: string; message?: string };
  return `Sign-in failed: ${description ?? message ?? 'unknown error'}; ${START_AGAIN}.`;
}

export function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
