import { CliError } from '../errors.js';

export interface IssuerMetadata {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
}

export interface TokenSet {
  accessToken: string;
  refreshToken: string | null;
  /** Epoch milliseconds; null when the issuer did not say. */
  expiresAt: number | null;
}

/** OpenID Provider metadata (OIDC Discovery §4); its `issuer` must be exactly the one asked for. */
export async function discoverIssuer(issuer: string): Promise<IssuerMetadata> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const metadata = await json<{ issuer?: unknown; authorization_endpoint?: unknown; token_endpoint?: unknown }>(
    url,
    { headers: { accept: 'application/json' } },
    'OIDC discovery',
  );
  if (metadata.issuer !== issuer)
    throw new CliError(
      'auth',
      `OIDC discovery at ${url} names issuer ${JSON.stringify(metadata.issuer)}, ${issuer} expected`,
    );
  if (typeof metadata.authorization_endpoint !== 'string' || typeof metadata.token_endpoint !== 'string') {
    throw new CliError('auth', `OIDC discovery at ${url} lacks authorization_endpoint or token_endpoint`);
  }
  return { issuer, authorizationEndpoint: metadata.authorization_endpoint, tokenEndpoint: metadata.token_endpoint };
}

/** The token endpoint (RFC 6749 §4.1.3 / §6): a public client, so no secret; PKCE proves the caller. */
export async function requestTokens(
  tokenEndpoint: string,
  form: Record<string, string>,
  now: number = Date.now(),
): Promise<TokenSet> {
  const body = await json<{ access_token?: unknown; refresh_token?: unknown; expires_in?: unknown }>(
    tokenEndpoint,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(form).toString(),
    },
    'the token endpoint',
  );
  if (typeof body.access_token !== 'string')
    throw new CliError('auth', 'the token endpoint answered without an access_token');
  return {
    accessToken: body.access_token,
    refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : null,
    expiresAt: typeof body.expires_in === 'number' ? now + body.expires_in * 1000 : null,
  };
}

async function json<T>(url: string, init: RequestInit, what: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new CliError('network', `cannot reach ${what} at ${url}: ${reason}`);
  }
  const text = await response.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new CliError('auth', `${what} at ${url} answered ${response.status} without JSON`);
  }
  if (!response.ok) {
    const reason = [body['error'], body['error_description']].filter((part) => typeof part === 'string').join(': ');
    throw new CliError('auth', `${what} refused (${response.status}${reason ? ` ${reason}` : ''})`);
  }
  return body as T;
}
