import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { AuthError } from './auth.errors.js';
import { principalFromClaims } from './oidc-claims.js';
import { describeTokenFailure, type FailureContext } from './oidc-failures.js';
import type { Principal } from './principal.js';

export const DEFAULT_OIDC_ALGORITHMS = ['RS256', 'ES256', 'PS256'] as const;

export interface OidcVerifierOptions {
  /** Exact `iss` expected (compared as a string, so mind trailing slashes). */
  issuer: string;
  /** The `aud` this API answers to, e.g. "evalvault-api". */
  audience: string;
  /** Where the issuer publishes its keys (fetched over HTTP with a timeout and a refetch cooldown)… */
  jwksUri?: string;
  /** …or the keys themselves (tests, air-gapped setups). Exactly one of the two. */
  jwks?: JSONWebKeySet;
  algorithms?: readonly string[];
  clockToleranceSec?: number;
  tenantClaim?: string;
  rolesClaim?: string;
  jwksTimeoutMs?: number;
  /** Least time between two fetches forced by an unknown kid: a flood of made-up kids cannot hammer the issuer. */
  jwksCooldownMs?: number;
  now?: () => Date;
}

/** A failure fetching the key set, told apart from a bad token: the issuer is down, the caller may be fine. */
class KeySetUnavailable extends Error {}

/** Verifies OIDC access tokens (JWTs) against the issuer's JWKS and reads the Principal from them. */
export class OidcVerifier {
  private readonly keys: JWTVerifyGetKey;
  private readonly context: FailureContext;
  private readonly tenantClaim: string;
  private readonly rolesClaim: string;
  private readonly now: () => Date;

  constructor(private readonly options: OidcVerifierOptions) {
    const algorithms = options.algorithms ?? DEFAULT_OIDC_ALGORITHMS;
    checkAlgorithms(algorithms);
    this.context = {
      issuer: options.issuer,
      audience: options.audience,
      algorithms,
      clockToleranceSec: options.clockToleranceSec ?? 30,
    };
    this.keys = guarded(keySetOf(options));
    this.tenantClaim = options.tenantClaim ?? 'tenant';
    this.rolesClaim = options.rolesClaim ?? 'evalvault_roles';
    this.now = options.now ?? (() => new Date());
  }

  async verify(token: string): Promise<Principal> {
    const payload = await this.verifiedPayload(token);
    return principalFromClaims(payload, { tenantClaim: this.tenantClaim, rolesClaim: this.rolesClaim });
  }

  /**
   * The last instant this token is accepted (its `exp` plus the clock tolerance), read without
   * verifying it: only for a token verify() accepted, to end a long response it opened on time.
   */
  acceptedUntil(token: string): Date | null {
    try {
      const { exp } = decodeJwt(token);
      return typeof exp === 'number' ? new Date((exp + this.context.clockToleranceSec) * 1000) : null;
    } catch {
      return null;
    }
  }

  private async verifiedPayload(token: string): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        // jose checks the header's alg against this list before it looks for a key: "none" and
        // HS256 (the HS/RS confusion attack) are refused whatever the key set holds.
        algorithms: [...this.context.algorithms],
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: this.context.clockToleranceSec,
        // An access token without an expiry would be valid forever; without a subject, nobody's.
        requiredClaims: ['exp', 'sub'],
        currentDate: this.now(),
      });
      return payload;
    } catch (error) {
      if (error instanceof KeySetUnavailable) {
        throw new AuthError('UNAVAILABLE', `could not fetch the OIDC issuer's signing keys: ${error.message}`);
      }
      throw describeTokenFailure(error, token, this.context);
    }
  }
}

/** Refuses, at start-up, allow-lists that would reopen the attacks the list exists to close. */
function checkAlgorithms(algorithms: readonly string[]): void {
  if (algorithms.length === 0) throw new Error('OIDC algorithms allow-list must not be empty');
  for (const alg of algorithms) {
    if (alg === 'none' || /^HS/.test(alg)) {
      throw new Error(
        `OIDC algorithm ${alg} refused: ` +
          "tokens must be signed with the issuer's private key, verified with its public JWKS",
      );
    }
  }
}

function keySetOf(options: OidcVerifierOptions): JWTVerifyGetKey {
  if ((options.jwksUri === undefined) === (options.jwks === undefined)) {
    throw new Error('OIDC verifier needs exactly one of jwksUri and jwks');
  }
  if (options.jwks) return createLocalJWKSet(options.jwks);
  return createRemoteJWKSet(secureUrl(options.jwksUri ?? ''), {
    timeoutDuration: options.jwksTimeoutMs ?? 5_000,
    cooldownDuration: options.jwksCooldownMs ?? 30_000,
  });
}

/** Keys fetched over plain HTTP could be swapped in transit; only loopback (local issuer, tests) may skip TLS. */
export function secureUrl(value: string): URL {
  const url = new URL(value);
  const loopback = ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new Error(`OIDC URL ${url.href} must use https (plain http only on loopback)`);
  }
  return url;
}

/** Tags every failure of the key lookup that is not "no such key" as the key set being unavailable. */
function guarded(keys: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await keys(header, token);
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (
        code === 'ERR_JWKS_NO_MATCHING_KEY' ||
        code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS' ||
        code === 'ERR_JOSE_NOT_SUPPORTED'
      )
        throw error;
      throw new KeySetUnavailable(
        code === 'ERR_JWKS_TIMEOUT' ? 'timed out' : ((error as Error).message ?? 'unknown error'),
      );
    }
  };
}
