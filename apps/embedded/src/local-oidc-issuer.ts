import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { ClientMetadata } from 'oidc-provider';
import type { DataDirectory } from './data-directory.js';
import { withSignInPages } from './local-sign-in.js';
import { signOutPages } from './local-sign-out.js';
import { ADMIN_PASSWORD_FILE, LocalUsers } from './local-users.js';

/** The CLI's public client: authorization code with PKCE, loopback redirect on any port (RFC 8252 §7.3). */
export const CLI_CLIENT_ID = 'evalvault-cli';
/** The web console's public client: authorization code with PKCE, back to the console's own address only. */
export const CONSOLE_CLIENT_ID = 'evalvault-console';
/** Resource indicators must be absolute URIs (RFC 8707). */
export const API_AUDIENCE = 'urn:evalvault:api';
const TENANT = 'default';

export interface LocalOidcIssuer {
  /** Also the tokens' `iss`; discovery at `${issuer}/.well-known/openid-configuration`. */
  issuer: string;
  audience: string;
  jwksUri: string;
  /** Where the first user's (`admin`) password was written at first start. */
  adminPasswordFile: string;
  /** The web console's client and the scopes it asks for. */
  console: { clientId: string; scope: string };
  close(): Promise<void>;
}

/**
 * A real OpenID Connect provider (oidc-provider) for the embedded platform, so sign-in works
 * end to end with nothing outside: authorization code + PKCE for the CLI, refresh tokens, and
 * RS256 JWT access tokens for the API audience carrying the `tenant` claim the gateway reads.
 * Sign-in takes a user name and password from the data directory's users file (see LocalUsers);
 * the subject is `local:<name>`, so it can never be taken for an API key's or a service's actor.
 * It grants no role — what a user may do comes from the project's members (granted by an admin
 * through /v1/projects/{project}/members). Its signing key and cookie secret live in the data
 * directory, so access tokens survive a restart; sign-in sessions and refresh tokens are kept in
 * memory and do not (sign in again after a restart).
 *
 * The web console signs in too, from the browser, once `consoleRedirect` tells where it is served (the
 * gateway's address, known only once it listens): its client may be sent back there and nowhere else,
 * and the token endpoint answers cross-origin calls from that origin alone. Requests wait for it: the
 * provider is made at the first one. Without it (the default) only the CLI's client exists.
 */
export async function startLocalOidcIssuer(
  dir: DataDirectory,
  port = 0,
  consoleRedirect: Promise<string | null> = Promise.resolve(null),
): Promise<LocalOidcIssuer> {
  const users = await LocalUsers.open(dir);
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The provider (its module alone takes a third of a second to load) and a new data directory's
  // signing key (an RSA key pair) are made at the first request, not at every start.
  let handler: Promise<RequestListener> | undefined;
  server.on('request', (request, response) => {
    handler ??= consoleRedirect.then((redirect) => providerHandler(dir, issuer, users, redirect));
    handler.then(
      (handle) => handle(request, response),
      () => {
        handler = undefined;
        response.writeHead(503).end();
      },
    );
  });
  return {
    issuer,
    audience: API_AUDIENCE,
    jwksUri: `${issuer}/jwks`,
    adminPasswordFile: dir.secretPath(ADMIN_PASSWORD_FILE),
    console: { clientId: CONSOLE_CLIENT_ID, scope: 'openid' },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function providerHandler(
  dir: DataDirectory,
  issuer: string,
  users: LocalUsers,
  consoleRedirect: string | null,
): Promise<RequestListener> {
  const signingKey = JSON.parse(
    await persistedJson(dir, 'oidc-signing-key.json', async () => {
      const { privateKey } = await generateKeyPair('RS256', { extractable: true });
      return JSON.stringify({
        ...(await exportJWK(privateKey)),
        alg: 'RS256',
        use: 'sig',
        kid: `evalvault-${Date.now()}`,
      });
    }),
  ) as JWK;
  const { default: Provider, errors } = await import('oidc-provider');
  const provider = quietly(
    () =>
      new Provider(issuer, {
        clients: [
          {
            client_id: CLI_CLIENT_ID,
            application_type: 'native',
            token_endpoint_auth_method: 'none',
            grant_types: ['authorization_code', 'refresh_token'],
            response_types: ['code'],
            redirect_uris: ['http://127.0.0.1/callback'],
          },
          ...(consoleRedirect ? [consoleClient(consoleRedirect)] : []),
        ],
        // Cross-origin calls (the console's code exchange) from the console's origin only; the CLI's
        // calls come from no browser.
        clientBasedCORS: (_ctx, origin, client) =>
          consoleRedirect !== null &&
          client.clientId === CONSOLE_CLIENT_ID &&
          origin === new URL(consoleRedirect).origin,
        jwks: { keys: [signingKey] },
        cookies: { keys: [dir.secret('oidc-cookie-key')] },
        scopes: ['openid', 'offline_access'],
        pkce: { required: () => true },
        // Text, not the provider's development page: an authorization it cannot send back (an unknown redirect).
        renderError: async (ctx, out) => {
          ctx.type = 'text/plain; charset=utf-8';
          ctx.body = `Sign-in failed: ${out.error_description ?? out.error}\n`;
        },
        // A user removed from the file can no longer use their refresh token.
        findAccount: async (_ctx, accountId) =>
          users.knows(accountId) ? { accountId, claims: async () => ({ sub: accountId }) } : undefined,
        extraTokenClaims: async () => ({ tenant: TENANT }),
        features: {
          devInteractions: { enabled: false },
          // The console's "Sign out" ends the session here too (end_session_endpoint), back to the console.
          rpInitiatedLogout: { enabled: true, ...signOutPages },
          resourceIndicators: {
            enabled: true,
            defaultResource: async () => API_AUDIENCE,
            useGrantedResource: async () => true,
            getResourceServerInfo: async (_ctx, indicator) => {
              if (indicator !== API_AUDIENCE)
                throw new errors.InvalidTarget(`unknown resource ${indicator}; use ${API_AUDIENCE}`);
              return {
                scope: 'api',
                audience: API_AUDIENCE,
                accessTokenFormat: 'jwt',
                accessTokenTTL: 3600,
                jwt: { sign: { alg: 'RS256' } },
              };
            },
          },
        },
        ttl: {
          AccessToken: 3600,
          IdToken: 3600,
          AuthorizationCode: 60,
          RefreshToken: 14 * 24 * 3600,
          Grant: 14 * 24 * 3600,
          Interaction: 600,
          Session: 14 * 24 * 3600,
        },
      }),
  );
  return withSignInPages(provider, users, provider.callback());
}

/**
 * A browser application without a secret: PKCE (required for every client here) proves the code's requester.
 * Signing out at the issuer comes back to the console's address too, and nowhere else.
 */
function consoleClient(redirect: string): ClientMetadata {
  return {
    client_id: CONSOLE_CLIENT_ID,
    application_type: 'web',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: [redirect],
    post_logout_redirect_uris: [redirect],
  };
}

/**
 * oidc-provider prints its development notice (in-memory sessions) straight to the console;
 * that is this issuer's documented design, so it is kept out of the user's terminal.
 */
function quietly<T>(construct: () => T): T {
  const warn = console.warn;
  console.warn = () => undefined;
  try {
    return construct();
  } finally {
    console.warn = warn;
  }
}

async function persistedJson(dir: DataDirectory, name: string, generate: () => Promise<string>): Promise<string> {
  if (!dir.hasSecret(name)) {
    const value = await generate();
    return dir.secret(name, () => value);
  }
  return dir.secret(name);
}
