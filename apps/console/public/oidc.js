import { credential } from './api.js';

/**
 * Sign-in through the OIDC issuer the gateway names (GET /console/config.json): authorization code with
 * PKCE (RFC 7636, S256) as a public client, back to the console's own address. What the round trip needs
 * (state, nonce, the code verifier) waits in this tab's session storage, is read once and removed; the
 * access token becomes the credential, in session storage like a pasted key. No cookie, no local storage.
 */
const PENDING = 'evalvault.oidc.pending';
/** After sign-in: where and how to end the issuer's session on "Sign out" (its ID token as the hint). */
const SESSION = 'evalvault.oidc.session';

export class SignInError extends Error {}

/** The issuer and the console's client there, or null: the gateway takes API keys only. */
export async function signInConfig() {
  const response = await fetch('/console/config.json', { headers: { accept: 'application/json' } });
  if (!response.ok) return null;
  return (await response.json()).oidc ?? null;
}

/** Sends the browser to the issuer's authorization endpoint; the answer comes back to `location.origin/`. */
export async function beginSignIn(config) {
  const metadata = await discover(config.issuer);
  const verifier = randomText(32);
  const pending = {
    state: randomText(16),
    nonce: randomText(16),
    verifier,
    issuer: config.issuer,
    clientId: config.clientId,
    tokenEndpoint: metadata.token_endpoint,
    endSessionEndpoint: metadata.end_session_endpoint ?? null,
    redirectUri: `${location.origin}/`,
    returnTo: location.hash === '#/signin' ? '' : location.hash,
  };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const authorize = withParams(metadata.authorization_endpoint, {
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: pending.redirectUri,
    scope: config.scope,
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
    code_challenge_method: 'S256',
  });
  location.assign(authorize.href);
}

/** Whether this page is the issuer's answer: `/?code=…&state=…` or `/?error=…&state=…`. */
export function isSignInAnswer() {
  const params = new URLSearchParams(location.search);
  return params.has('code') || params.has('error');
}

/**
 * The issuer's answer: its state must be the one this tab sent; then the code is exchanged (with the
 * verifier) at the token endpoint. The code leaves the address bar and the history first, whatever follows.
 */
export async function completeSignIn() {
  const params = new URLSearchParams(location.search);
  const raw = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  const pending = raw ? JSON.parse(raw) : null;
  history.replaceState(null, '', `/${pending?.returnTo ?? ''}`);
  if (!pending || !params.get('state') || params.get('state') !== pending.state)
    throw new SignInError(
      'Sign-in refused: the answer does not belong to a sign-in started in this tab (its state does not match). ' +
        'Sign in again.',
    );
  if (params.has('error'))
    throw new SignInError(`The sign-in did not complete: ${params.get('error_description') ?? params.get('error')}.`);
  // RFC 9207: an answer naming another issuer is a mix-up, whoever sent it.
  if (params.has('iss') && params.get('iss') !== pending.issuer)
    throw new SignInError(`Sign-in refused: the answer comes from ${params.get('iss')}, not ${pending.issuer}.`);
  const tokens = await exchange(pending, params.get('code') ?? '');
  // The ID token came straight from the token endpoint, so its nonce is checked without its signature.
  if (tokens.id_token && claimsOf(tokens.id_token).nonce !== pending.nonce)
    throw new SignInError('Sign-in refused: the ID token was not issued for this sign-in (its nonce does not match).');
  credential.set(tokens.access_token, tokens.expires_in);
  if (pending.endSessionEndpoint && tokens.id_token)
    sessionStorage.setItem(
      SESSION,
      JSON.stringify({
        endSessionEndpoint: pending.endSessionEndpoint,
        idToken: tokens.id_token,
        clientId: pending.clientId,
      }),
    );
}

/**
 * Ends the sign-in at the issuer too (OpenID Connect RP-Initiated Logout), when the user signed in there and
 * the issuer offers it: the browser goes to its end-session endpoint and comes back to the console. Answers
 * false (nothing to end: an API key, or an issuer without the endpoint); the caller shows sign-in then.
 */
export function signOutAtIssuer() {
  const raw = sessionStorage.getItem(SESSION);
  forgetIssuerSession();
  const session = raw ? JSON.parse(raw) : null;
  if (!session) return false;
  const end = withParams(session.endSessionEndpoint, {
    id_token_hint: session.idToken,
    client_id: session.clientId,
    post_logout_redirect_uri: `${location.origin}/`,
  });
  location.assign(end.href);
  return true;
}

/** The sign-in ended on its own (expired, refused): nothing to end at the issuer from here. */
export function forgetIssuerSession() {
  sessionStorage.removeItem(SESSION);
}

/** An endpoint with the request's parameters added to any query it already has (OpenID Connect allows one). */
function withParams(endpoint, params) {
  const url = new URL(endpoint);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url;
}

async function exchange(pending, code) {
  const response = await fetch(pending.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: pending.redirectUri,
      client_id: pending.clientId,
      code_verifier: pending.verifier,
    }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok || typeof body.access_token !== 'string')
    throw new SignInError(
      `The issuer did not give a token: ${body.error_description ?? body.error ?? `HTTP ${response.status}`}.`,
    );
  return body;
}

async function discover(issuer) {
  const response = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!response.ok) throw new SignInError(`The issuer's discovery document answered HTTP ${response.status}.`);
  const metadata = await response.json();
  // OpenID Connect Discovery §4.3: the document must be the issuer's own.
  if (metadata.issuer !== issuer)
    throw new SignInError(`The discovery document names issuer ${metadata.issuer}, not ${issuer}.`);
  return metadata;
}

function claimsOf(jwt) {
  const payload = jwt.split('.')[1] ?? '';
  return JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')));
}

const randomText = (bytes) => base64url(crypto.getRandomValues(new Uint8Array(bytes)));

function base64url(buffer) {
  return btoa(String.fromCharCode(...new Uint8Array(buffer)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}
