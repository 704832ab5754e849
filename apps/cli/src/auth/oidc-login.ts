import type { OidcAuth } from '../config/credentials.js';
import { listenForRedirect } from './loopback-redirect.js';
import { discoverIssuer, requestTokens } from './oidc-client.js';
import { createPkcePair, randomState } from './pkce.js';

export interface BrowserSignIn {
  issuer: string;
  clientId: string;
  scope: string;
  resource?: string;
  timeoutMs: number;
  /** Shows the authorization URL to the user (and opens a browser on it). */
  open: (authorizationUrl: string) => Promise<void>;
}

/**
 * OAuth 2.0 for native apps (RFC 8252): authorization code with PKCE (RFC 7636, S256) and a
 * redirect to a one-shot listener on 127.0.0.1. The code is worthless without the verifier
 * that never left this process; `state` ties the redirect to this very attempt.
 */
export async function signInWithBrowser(options: BrowserSignIn): Promise<OidcAuth> {
  const metadata = await discoverIssuer(options.issuer);
  const pkce = createPkcePair();
  const state = randomState();
  const redirect = await listenForRedirect(state, options.timeoutMs);
  try {
    const url = new URL(metadata.authorizationEndpoint);
    const params: Record<string, string> = {
      response_type: 'code',
      client_id: options.clientId,
      redirect_uri: redirect.redirectUri,
      scope: options.scope,
      state,
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
      ...(options.resource ? { resource: options.resource } : {}),
    };
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    await options.open(url.href);
    const code = await redirect.code;
    const tokens = await requestTokens(metadata.tokenEndpoint, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirect.redirectUri,
      client_id: options.clientId,
      code_verifier: pkce.verifier,
      ...(options.resource ? { resource: options.resource } : {}),
    });
    return {
      type: 'oidc',
      issuer: metadata.issuer,
      clientId: options.clientId,
      tokenEndpoint: metadata.tokenEndpoint,
      ...tokens,
    };
  } finally {
    await redirect.close();
  }
}
