import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

export interface AuthorizationServer {
  /** Also the `iss` of its tokens. */
  url: string;
  /** What the token endpoint checked, per authorization-code exchange. */
  exchanges: Array<{ challengeMethod: string; verifierMatched: boolean }>;
  close(): Promise<void>;
}

/**
 * A minimal OpenID provider for the CLI's browser sign-in: discovery, JWKS, an authorization
 * endpoint that signs "alice" in at once (the test's browser only follows redirects), and a
 * token endpoint that enforces PKCE S256, one-time codes and the exact redirect URI.
 */
export async function startAuthorizationServer(
  claims: Record<string, unknown>,
  audience = 'evalvault-api',
): Promise<AuthorizationServer> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'cli-e2e', use: 'sig', alg: 'RS256' };
  const codes = new Map<string, { challenge: string; method: string; redirectUri: string; clientId: string }>();
  const exchanges: AuthorizationServer['exchanges'] = [];
  const refreshTokens = new Set<string>();
  let url = '';

  const send = (response: ServerResponse, status: number, body: unknown): void =>
    void response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const token = () =>
    new SignJWT({ ...claims, sub: 'alice' })
      .setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'at+jwt' })
      .setIssuer(url)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);

  /** Access token plus a one-time refresh token (rotated on every use). */
  async function tokens(): Promise<Record<string, unknown>> {
    const refreshToken = randomBytes(16).toString('hex');
    refreshTokens.add(refreshToken);
    return { access_token: await token(), token_type: 'Bearer', expires_in: 300, refresh_token: refreshToken };
  }

  async function exchange(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of request) text += chunk;
    const form = new URLSearchParams(text);
    if (form.get('grant_type') === 'refresh_token') {
      if (!refreshTokens.delete(form.get('refresh_token') ?? ''))
        return send(response, 400, { error: 'invalid_grant' });
      return send(response, 200, await tokens());
    }
    const grant = codes.get(form.get('code') ?? '');
    codes.delete(form.get('code') ?? '');
    if (form.get('grant_type') !== 'authorization_code' || !grant)
      return send(response, 400, { error: 'invalid_grant' });
    const verifierMatched =
      createHash('sha256')
        .update(form.get('code_verifier') ?? '')
        .digest('base64url') === grant.challenge;
    exchanges.push({ challengeMethod: grant.method, verifierMatched });
    if (!verifierMatched || grant.method !== 'S256')
      return send(response, 400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
    if (form.get('redirect_uri') !== grant.redirectUri || form.get('client_id') !== grant.clientId)
      return send(response, 400, { error: 'invalid_grant' });
    send(response, 200, await tokens());
  }

  const server = createServer((request, response) => {
    const requestUrl = new URL(request.url ?? '/', url);
    switch (`${request.method} ${requestUrl.pathname}`) {
      case 'GET /.well-known/openid-configuration':
        return send(response, 200, {
          issuer: url,
          authorization_endpoint: `${url}/authorize`,
          token_endpoint: `${url}/token`,
          jwks_uri: `${url}/jwks`,
          code_challenge_methods_supported: ['S256'],
        });
      case 'GET /jwks':
        return send(response, 200, { keys: [jwk] });
      case 'GET /authorize': {
        const q = requestUrl.searchParams;
        const redirectUri = q.get('redirect_uri') ?? '';
        if (
          q.get('response_type') !== 'code' ||
          q.get('client_id') !== 'evalvault-cli' ||
          !redirectUri.startsWith('http://127.0.0.1:')
        )
          return send(response, 400, { error: 'invalid_request' });
        const code = randomBytes(16).toString('hex');
        codes.set(code, {
          challenge: q.get('code_challenge') ?? '',
          method: q.get('code_challenge_method') ?? 'plain',
          redirectUri,
          clientId: q.get('client_id')!,
        });
        const back = new URL(redirectUri);
        back.searchParams.set('code', code);
        back.searchParams.set('state', q.get('state') ?? '');
        return response.writeHead(302, { location: back.href }).end();
      }
      case 'POST /token':
        return void exchange(request, response);
      default:
        return send(response, 404, { error: 'not_found' });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    exchanges,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
