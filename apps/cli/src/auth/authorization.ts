import type { AuthorizationSource } from '../api/api-client.js';
import { writeCredentials, type OidcAuth } from '../config/credentials.js';
import type { ServerConnection } from '../config/connection.js';
import { CliError } from '../errors.js';
import { requestTokens } from './oidc-client.js';

const EXPIRY_MARGIN_MS = 30_000;

/**
 * The Authorization header for a connection: a key or token as given, or the saved sign-in;
 * an OIDC access token about to expire is refreshed with the saved refresh token first and
 * the new tokens saved, so a long CI job does not fail half way.
 */
export function authorizationFor(connection: ServerConnection, now: () => number = Date.now): AuthorizationSource {
  if (connection.bearer) return async () => `Bearer ${connection.bearer}`;
  const stored = connection.stored;
  if (!stored) return async () => null;
  if (stored.auth.type === 'api_key') {
    const key = stored.auth.apiKey;
    return async () => `Bearer ${key}`;
  }
  let auth: OidcAuth = stored.auth;
  return async () => {
    if (auth.expiresAt !== null && auth.expiresAt - EXPIRY_MARGIN_MS < now()) {
      if (!auth.refreshToken)
        throw new CliError('auth', 'your sign-in has expired; run "evalvault login --oidc" again');
      const tokens = await requestTokens(
        auth.tokenEndpoint,
        { grant_type: 'refresh_token', refresh_token: auth.refreshToken, client_id: auth.clientId },
        now(),
      );
      auth = { ...auth, ...tokens, refreshToken: tokens.refreshToken ?? auth.refreshToken };
      await writeCredentials(connection.credentialsFile, { ...stored, auth });
    }
    return `Bearer ${auth.accessToken}`;
  };
}
