import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import {
  exportJWK,
  exportSPKI,
  generateKeyPair,
  importJWK,
  SignJWT,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
} from 'jose';

export interface TestSignOptions {
  /** Header kid; defaults to the issuer's own. Set another to play an unknown key. */
  kid?: string;
  /** RSA algorithms only: this issuer holds an RSA key. Hand-craft tokens for anything else. */
  alg?: 'RS256' | 'PS256';
  /** jose time spans ("5m", "-2m") or epoch seconds; default 5 minutes; null for no `exp` at all. */
  expiresIn?: string | number | null;
  notBefore?: string | number;
}

/** An RSA-keyed token minter with the issuer's public JWKS; offline, for unit tests. */
export class TestOidcIssuer {
  private constructor(
    readonly issuer: string,
    readonly audience: string,
    readonly kid: string,
    /** As a JWK: a WebCrypto key is bound to one algorithm, and this one signs RS256 and PS256. */
    private readonly privateJwk: JWK,
    private readonly publicKey: CryptoKey,
    private readonly publicJwk: JWK,
  ) {}

  static async create(options: { issuer?: string; audience?: string } = {}): Promise<TestOidcIssuer> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const kid = `test-${randomUUID()}`;
    // No alg on the JWK, so the same key verifies RS256 and PS256 tokens.
    const publicJwk = { ...(await exportJWK(publicKey)), kid, use: 'sig' };
    return new TestOidcIssuer(
      options.issuer ?? 'https://issuer.test',
      options.audience ?? 'evalvault-api',
      kid,
      await exportJWK(privateKey),
      publicKey,
      publicJwk,
    );
  }

  jwks(): JSONWebKeySet {
    return { keys: [{ ...this.publicJwk }] };
  }

  /** The public key as PEM: what an HS/RS confusion attacker would use as the HMAC secret. */
  publicKeyPem(): Promise<string> {
    return exportSPKI(this.publicKey);
  }

  /** A token with iss and aud of this issuer unless the claims say otherwise. */
  async sign(claims: JWTPayload, options: TestSignOptions = {}): Promise<string> {
    const alg = options.alg ?? 'RS256';
    const jwt = new SignJWT({ iss: this.issuer, aud: this.audience, ...claims })
      .setProtectedHeader({ alg, kid: options.kid ?? this.kid, typ: 'at+jwt' })
      .setIssuedAt();
    if (options.expiresIn !== null) jwt.setExpirationTime(options.expiresIn ?? '5m');
    if (options.notBefore !== undefined) jwt.setNotBefore(options.notBefore);
    return jwt.sign(await importJWK(this.privateJwk, alg));
  }
}

export interface RunningTestOidcIssuer {
  issuer: TestOidcIssuer;
  /** http://127.0.0.1:<port>, also the issuer's `iss`. */
  url: string;
  jwksUri: string;
  /** How many times /jwks was fetched: lets tests see caching and the refetch cooldown. */
  jwksRequests(): number;
  close(): Promise<void>;
}

/** The same issuer served over HTTP on 127.0.0.1:0: OpenID metadata and /jwks. */
export async function startTestOidcIssuer(options: { audience?: string } = {}): Promise<RunningTestOidcIssuer> {
  // The issuer's URL (its `iss`) is known only once the server listens, so the handler looks it up late.
  const state: { issuer?: TestOidcIssuer; jwksRequests: number } = { jwksRequests: 0 };
  const server = createServer((request, response) => {
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const { issuer } = state;
    if (!issuer || request.method !== 'GET') return send(404, { error: 'not_found' });
    if (request.url === '/.well-known/openid-configuration') {
      return send(200, {
        issuer: issuer.issuer,
        jwks_uri: `${issuer.issuer}/jwks`,
        id_token_signing_alg_values_supported: ['RS256', 'PS256'],
      });
    }
    if (request.url === '/jwks') {
      state.jwksRequests += 1;
      return send(200, issuer.jwks());
    }
    return send(404, { error: 'not_found' });
  });
  const url = `http://127.0.0.1:${await listen(server)}`;
  const issuer = await TestOidcIssuer.create({ issuer: url, audience: options.audience });
  state.issuer = issuer;
  return {
    issuer,
    url,
    jwksUri: `${url}/jwks`,
    jwksRequests: () => state.jwksRequests,
    close: () => close(server),
  };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // fetch keeps connections alive; without this, close() would wait for them to time out.
    server.closeAllConnections();
  });
}
