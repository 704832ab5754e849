import { secureUrl } from './oidc-verifier.js';

/**
 * Reads the issuer's `jwks_uri` from its OpenID Provider metadata, once at start-up, so configuration
 * needs only the issuer. Per OIDC Discovery §4.3 the document's `issuer` must equal the one asked
 * for exactly — otherwise a document could vouch for keys of some other issuer.
 */
export async function discoverJwksUri(issuer: string, options: { timeoutMs?: number } = {}): Promise<string> {
  const url = secureUrl(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  const response = await fetch(url, {
    signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
    redirect: 'error',
    headers: { accept: 'application/json' },
  });
  if (response.status !== 200) throw new Error(`OIDC discovery at ${url.href} answered ${response.status}`);
  const metadata = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
  if (metadata.issuer !== issuer) {
    throw new Error(
      `OIDC discovery at ${url.href} names issuer ${JSON.stringify(metadata.issuer)}, ${issuer} expected`,
    );
  }
  if (typeof metadata.jwks_uri !== 'string') throw new Error(`OIDC discovery at ${url.href} has no jwks_uri`);
  return secureUrl(metadata.jwks_uri).href;
}
