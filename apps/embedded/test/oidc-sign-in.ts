import { createHash, randomBytes } from 'node:crypto';

/**
 * What a person does in the browser against the local issuer, done with fetch: authorization
 * code + PKCE through the issuer's sign-in (user name and password) and consent screens, then
 * the token exchange. A refused sign-in throws with the alert the page shows.
 */
export async function signInWithPkce(
  issuer: string,
  login: string,
  password: string,
): Promise<{ accessToken: string }> {
  const cookies = new Map<string, string>();
  const request = async (url: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    if (cookies.size > 0) headers.set('cookie', [...cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    const response = await fetch(new URL(url, issuer), { ...init, headers, redirect: 'manual' });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const at = pair!.indexOf('=');
      cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
    return response;
  };
  const form = (fields: Record<string, string>): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  const locationOf = (response: Response): string => {
    const location = response.headers.get('location');
    if (!location) throw new Error(`expected a redirect, got HTTP ${response.status}: ${response.statusText}`);
    return location;
  };

  const verifier = randomBytes(32).toString('base64url');
  const redirectUri = 'http://127.0.0.1:53682/callback';
  const authorize = new URL('/auth', issuer);
  authorize.search = new URLSearchParams({
    client_id: 'evalvault-cli',
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: 'openid offline_access',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state: randomBytes(8).toString('hex'),
  }).toString();
  let location = locationOf(await request(authorize.href));
  // Sign-in, then consent: each an interaction page posted back, then a resume of the authorization.
  for (const prompt of ['login', 'consent']) {
    const uid = /\/interaction\/([^/?]+)/.exec(location)?.[1];
    if (!uid) throw new Error(`expected the ${prompt} screen, was sent to ${location}`);
    const page = await request(`/interaction/${uid}`);
    if (page.status !== 200) throw new Error(`the ${prompt} screen answered HTTP ${page.status}: ${await page.text()}`);
    await page.text();
    const submitted = await request(
      `/interaction/${uid}`,
      form(prompt === 'login' ? { prompt, login, password } : { prompt }),
    );
    const alert = submitted.status === 303 ? null : /<p role="alert">([^<]*)<\/p>/.exec(await submitted.text())?.[1];
    if (alert) throw new Error(`sign-in refused (HTTP ${submitted.status}): ${alert}`);
    location = locationOf(submitted);
    location = locationOf(await request(location));
  }
  const code = new URL(location).searchParams.get('code');
  if (!code) throw new Error(`no code in the redirect ${location}`);
  const token = await request(
    '/token',
    form({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      client_id: 'evalvault-cli',
      code_verifier: verifier,
    }),
  );
  const body = (await token.json()) as { access_token?: string; error?: string; error_description?: string };
  if (!body.access_token) throw new Error(`token exchange failed: ${body.error}: ${body.error_description}`);
  return { accessToken: body.access_token };
}
