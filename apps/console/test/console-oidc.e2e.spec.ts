import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { decodeJwt } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { apiCaller, launchChromium, startPlatform, stopPlatform, type Platform } from './browser-platform.js';

/**
 * Sign-in to the web console through the embedded platform's OIDC issuer, in a real browser: the console's
 * button, the issuer's own sign-in and consent screens with the first user's password from the data
 * directory, back to the console (authorization code + PKCE, the code exchanged cross-origin by the page).
 * The issuer grants no role: `local:admin` is made a viewer of project `default` with the bootstrap key.
 */
jest.setTimeout(120_000);

interface Stored {
  session: Record<string, string>;
  localItems: number;
  documentCookie: string;
}

const STORAGE = `({
  session: Object.fromEntries(Object.keys(sessionStorage).map((k) => [k, sessionStorage.getItem(k)])),
  localItems: localStorage.length,
  documentCookie: document.cookie,
})`;

describe('console sign-in through OIDC (browser)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'evalvault-console-oidc-'));
  let platform: Platform;
  let browser: Browser;
  let issuer: string;
  let password: string;
  const contexts: BrowserContext[] = [];
  const api = apiCaller(() => platform);

  beforeAll(async () => {
    platform = await startPlatform(dataDir);
    password = readFileSync(join(dataDir, 'secrets', 'admin-password'), 'utf8').trim();
    issuer = (await api<{ oidc: { issuer: string } }>('/console/config.json')).oidc.issuer;
    await api('/v1/projects/default/members', { method: 'POST', body: { subject: 'local:admin', role: 'viewer' } });
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await stopPlatform(platform);
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A browser profile of its own: no sign-in session at the issuer from another test. */
  const freshPage = async (options: { javaScriptEnabled?: boolean } = {}) => {
    const context = await browser.newContext(options);
    contexts.push(context);
    return { context, page: await context.newPage() };
  };

  /** From the console's button through the issuer's sign-in and consent screens. */
  const signInAtIssuer = async (page: Page): Promise<void> => {
    await page.goto(platform.url);
    await page.getByRole('button', { name: /^Sign in with / }).click();
    await page.waitForURL((url) => url.origin === issuer);
    await fillIssuerScreens(page);
  };
  const fillIssuerScreens = async (page: Page): Promise<void> => {
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
  };

  it('tells the console where to sign in, and lets its scripts call that issuer alone', async () => {
    const config = await fetch(`${platform.url}/console/config.json`);
    expect(config.headers.get('cache-control')).toBe('no-store');
    const { oidc } = (await config.json()) as { oidc: { issuer: string; clientId: string; scope: string } };
    expect(oidc).toEqual({
      issuer: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) as string,
      clientId: 'evalvault-console',
      scope: 'openid',
    });
    expect(oidc.issuer).toBe(issuer);
    const csp = (await fetch(`${platform.url}/`)).headers.get('content-security-policy') ?? '';
    expect(/connect-src ([^;]*)/.exec(csp)?.[1]).toBe(`'self' ${issuer}`);
  });

  it('signs admin in with the issuer’s password and keeps the token in this tab’s session storage only', async () => {
    const { context, page } = await freshPage();
    await signInAtIssuer(page);
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
    expect(new URL(page.url()).origin).toBe(platform.url);
    expect(new URL(page.url()).search).toBe('');
    expect(await page.getByTestId('roles').textContent()).toBe('viewer');

    const stored = (await page.evaluate(STORAGE)) as Stored;
    const token = stored.session['evalvault.credential'] ?? '';
    expect(decodeJwt(token)).toMatchObject({ iss: issuer, sub: 'local:admin', aud: 'urn:evalvault:api' });
    expect(Object.keys(stored.session).sort()).toEqual([
      'evalvault.credential',
      'evalvault.credential.expires',
      'evalvault.oidc.session',
    ]);
    expect(stored.localItems).toBe(0);
    expect(stored.documentCookie).not.toContain(token);
    // Cookies do not tell ports apart: the issuer's own session cookies are listed for the console's host too.
    const cookies = await context.cookies(platform.url);
    expect(cookies.filter((cookie) => cookie.value.includes(token))).toEqual([]);
    expect(cookies.map((cookie) => cookie.name).filter((name) => !name.startsWith('_'))).toEqual([]);
  });

  it('signs out at the issuer too, so the next sign-in asks for the password again', async () => {
    const { page } = await freshPage();
    await signInAtIssuer(page);
    await page.getByRole('heading', { name: 'Runs' }).waitFor();

    const ending = page.waitForResponse((response) => new URL(response.url()).pathname === '/session/end');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.origin === issuer);
    await page.getByRole('heading', { name: 'Sign out of EvalVault' }).waitFor();
    // The issuer's own page: no script, no framing, nothing loaded from elsewhere; the ID token was the hint.
    const endPage = await ending;
    expect(endPage.headers()['content-security-policy']).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    );
    expect(await endPage.text()).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
    expect(new URL(endPage.url()).searchParams.get('id_token_hint')).toMatch(/^ey/);
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL((url) => url.origin === platform.url);
    await page.getByLabel('API key').waitFor();
    expect(((await page.evaluate(STORAGE)) as Stored).session).toEqual({});

    // The issuer's session is gone: its sign-in screen again, not a silent way back in.
    await page.getByRole('button', { name: /^Sign in with / }).click();
    await page.waitForURL((url) => url.origin === issuer);
    await page.getByLabel('Password').waitFor();
  });

  it('signs an API key user out without leaving the console', async () => {
    const { page } = await freshPage();
    const visited: string[] = [];
    page.on('framenavigated', (frame) => visited.push(new URL(frame.url()).origin));
    await page.goto(platform.url);
    await page.getByLabel('API key').fill(platform.adminKey);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    expect(((await page.evaluate(STORAGE)) as Stored).session).toEqual({});
    expect(visited.filter((origin) => origin !== platform.url)).toEqual([]);
  });

  it('sends a signed-in user back to sign-in, saying why, when the token expires', async () => {
    const { page } = await freshPage();
    await signInAtIssuer(page);
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
    await page.evaluate(`sessionStorage.setItem('evalvault.credential.expires', String(Date.now() - 1000))`);
    await page.reload();
    await expect(page.getByRole('alert').textContent()).resolves.toBe('Your sign-in has expired; sign in again.');
    expect(((await page.evaluate(STORAGE)) as Stored).session).toEqual({});
  });

  it('sends a signed-in user back to sign-in, saying why, when the API refuses the token', async () => {
    const { page } = await freshPage();
    await signInAtIssuer(page);
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
    // Revoked, or expired on the issuer's clock: the API's 401 is what tells.
    await page.evaluate(`sessionStorage.setItem('evalvault.credential', 'not-a-token-any-more')`);
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toBe(
      'Your sign-in has ended (expired or revoked); sign in again.',
    );
    await page.getByLabel('API key').waitFor();
    expect(((await page.evaluate(STORAGE)) as Stored).session).toEqual({});
  });

  it('refuses someone else’s code (a state this tab did not send) and never exchanges it', async () => {
    // Someone's own sign-in, stopped at the answer: without scripts, the console does not take the code.
    const verifier = randomBytes(32).toString('base64url');
    const { page: theirs } = await freshPage({ javaScriptEnabled: false });
    const authorize = new URL('/auth', issuer);
    authorize.search = new URLSearchParams({
      client_id: 'evalvault-console',
      response_type: 'code',
      redirect_uri: `${platform.url}/`,
      scope: 'openid',
      state: 'their-state',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    await theirs.goto(authorize.href);
    await fillIssuerScreens(theirs);
    await theirs.waitForURL((url) => url.origin === platform.url && url.searchParams.has('code'));
    const answer = theirs.url();

    // This tab starts its own sign-in, then is sent their answer.
    const { page } = await freshPage();
    const exchanges: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/token') exchanges.push(request.url());
    });
    await page.goto(platform.url);
    await page.getByRole('button', { name: /^Sign in with / }).click();
    await page.waitForURL((url) => url.origin === issuer);
    await page.goto(answer);
    await expect(page.getByRole('alert').textContent()).resolves.toBe(
      'Sign-in refused: the answer does not belong to a sign-in started in this tab (its state does not match). ' +
        'Sign in again.',
    );
    expect(new URL(page.url()).search).toBe('');
    expect(((await page.evaluate(STORAGE)) as Stored).session).toEqual({});
    expect(exchanges).toEqual([]);
    // Codes are good once: theirs still is, so the console never spent it.
    const token = await fetch(new URL('/token', issuer), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: new URL(answer).searchParams.get('code') ?? '',
        redirect_uri: `${platform.url}/`,
        client_id: 'evalvault-console',
        code_verifier: verifier,
      }),
    });
    expect(token.status).toBe(200);
  });
});
