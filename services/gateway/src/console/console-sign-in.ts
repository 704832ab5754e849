/** The OIDC client the web console signs in as: public (no secret), authorization code with PKCE (S256). */
export interface ConsoleClient {
  clientId: string;
  /** The scopes the console asks for; the issuer must put the gateway's audience in the access token. */
  scope: string;
}

/**
 * What GET /console/config.json tells the console's sign-in page: where to send the browser and as
 * which client, or `oidc: null` when the gateway accepts no OIDC token or names no console client
 * (the page then offers the API key only). Nothing here is a secret.
 */
export interface ConsoleConfig {
  oidc: { issuer: string; clientId: string; scope: string } | null;
}

export function consoleConfig(oidc: { issuer: string; console?: ConsoleClient | null } | null): ConsoleConfig {
  if (!oidc?.console) return { oidc: null };
  return { oidc: { issuer: oidc.issuer, clientId: oidc.console.clientId, scope: oidc.console.scope } };
}

/**
 * The console's Content-Security-Policy. Its scripts call the gateway and, to sign in, the issuer's
 * discovery document and token endpoint (the authorization request is a navigation, which
 * connect-src does not govern): the issuer's origin joins connect-src, and nothing else does.
 */
export function consoleCsp(config: ConsoleConfig): string {
  const connect = config.oidc ? `'self' ${new URL(config.oidc.issuer).origin}` : "'self'";
  return (
    `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src ${connect}; ` +
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
  );
}
