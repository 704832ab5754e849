import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { decodeJwt } from 'jose';
import { signInWithPkce } from '../test/oidc-sign-in.js';
import { DataDirectory } from './data-directory.js';
import { CONSOLE_CLIENT_ID, startLocalOidcIssuer, type LocalOidcIssuer } from './local-oidc-issuer.js';

// Every sign-in attempt is a deliberately slow scrypt.
jest.setTimeout(60_000);

/** The local issuer's sign-in as a browser meets it: a password is required, and refusals say nothing more. */
describe('the local OIDC issuer', () => {
  const path = mkdtempSync(join(tmpdir(), 'evalvault-oidc-'));
  let dir: DataDirectory;
  let issuer: LocalOidcIssuer;
  let password: string;

  beforeAll(async () => {
    dir = DataDirectory.open(path);
    issuer = await startLocalOidcIssuer(dir, 0);
    password = readFileSync(issuer.adminPasswordFile, 'utf8').trim();
  });
  afterAll(async () => {
    await issuer.close();
    dir.release();
    rmSync(path, { recursive: true, force: true });
  });

  it('writes the first user’s password once, to a 0600 file in the data directory', () => {
    expect(issuer.adminPasswordFile).toBe(join(path, 'secrets', 'admin-password'));
    expect(statSync(issuer.adminPasswordFile).mode & 0o777).toBe(0o600);
  });

  it('gives admin with the right password a token for subject local:admin', async () => {
    const { accessToken } = await signInWithPkce(issuer.issuer, 'admin', password);
    expect(decodeJwt(accessToken)).toMatchObject({
      iss: issuer.issuer,
      aud: 'urn:evalvault:api',
      sub: 'local:admin',
      tenant: 'default',
    });
  });

  it.each([
    ['a wrong password', 'admin', 'not-the-password'],
    ['an unknown user', 'dana@example.com', 'any'],
    ['an API key’s subject', 'api-key:0123456789ab', 'any'],
    ['a service’s subject', 'system:bootstrap', 'any'],
  ])('refuses %s with the same generic message', async (_case, login, attempt) => {
    await expect(signInWithPkce(issuer.issuer, login, attempt === 'any' ? password : attempt)).rejects.toThrow(
      'sign-in refused (HTTP 401): Wrong user name or password.',
    );
  });
});

/** The web console's client: back to the console's address only, PKCE required, cross-origin calls from it alone. */
describe('the local OIDC issuer’s console client', () => {
  const path = mkdtempSync(join(tmpdir(), 'evalvault-oidc-console-'));
  const consoleAt = 'http://127.0.0.1:9';
  const AUTHORIZATION = { client_id: CONSOLE_CLIENT_ID, response_type: 'code', scope: 'openid', state: 's' };
  let dir: DataDirectory;
  let issuer: LocalOidcIssuer;

  beforeAll(async () => {
    dir = DataDirectory.open(path);
    issuer = await startLocalOidcIssuer(dir, 0, Promise.resolve(`${consoleAt}/`));
  });
  afterAll(async () => {
    await issuer.close();
    dir.release();
    rmSync(path, { recursive: true, force: true });
  });

  const authorize = (params: Record<string, string>): Promise<Response> =>
    fetch(`${issuer.issuer}/auth?${new URLSearchParams({ ...AUTHORIZATION, ...params })}`, { redirect: 'manual' });
  const exchange = (origin: string): Promise<Response> =>
    fetch(`${issuer.issuer}/token`, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: 'not-a-code',
        redirect_uri: `${consoleAt}/`,
        client_id: CONSOLE_CLIENT_ID,
        code_verifier: 'v'.repeat(43),
      }),
    });

  it('sends the browser to sign in when the request is the console’s, with a PKCE challenge', async () => {
    const response = await authorize({
      redirect_uri: `${consoleAt}/`,
      code_challenge: 'c'.repeat(43),
      code_challenge_method: 'S256',
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(/^\/interaction\//);
  });

  it('answers a request without a PKCE challenge with an error, sent back to the console', async () => {
    const location = new URL((await authorize({ redirect_uri: `${consoleAt}/` })).headers.get('location') ?? '');
    expect(location.origin).toBe(consoleAt);
    expect(location.searchParams.get('error')).toBe('invalid_request');
  });

  it('never sends the console’s answer anywhere but the console', async () => {
    const response = await authorize({
      redirect_uri: 'http://evil.example/',
      code_challenge: 'c'.repeat(43),
      code_challenge_method: 'S256',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });

  it('takes the code exchange cross-origin from the console’s origin and from no other', async () => {
    const fromConsole = await exchange(consoleAt);
    expect(fromConsole.headers.get('access-control-allow-origin')).toBe(consoleAt);
    expect(await fromConsole.json()).toMatchObject({ error: 'invalid_grant' });
    const fromElsewhere = await exchange('http://evil.example');
    expect(fromElsewhere.headers.get('access-control-allow-origin')).toBeNull();
    expect(await fromElsewhere.json()).toMatchObject({ error: 'invalid_request' });
  });

  const endSession = (params: Record<string, string>): Promise<Response> =>
    fetch(`${issuer.issuer}/session/end?${new URLSearchParams({ client_id: CONSOLE_CLIENT_ID, ...params })}`, {
      redirect: 'manual',
    });

  it('names its end-session endpoint (the console signs out there; the page itself: console-oidc e2e)', async () => {
    const discovery = (await (await fetch(`${issuer.issuer}/.well-known/openid-configuration`)).json()) as {
      end_session_endpoint?: string;
    };
    expect(discovery.end_session_endpoint).toBe(`${issuer.issuer}/session/end`);
    // With no session to end, the provider confirms at once, still back to the console alone.
    expect((await endSession({ post_logout_redirect_uri: `${consoleAt}/` })).status).toBe(200);
  });

  it('never sends a signed-out browser anywhere but the console', async () => {
    const response = await endSession({ post_logout_redirect_uri: 'http://evil.example/' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });
});
