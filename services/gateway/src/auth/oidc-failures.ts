import { decodeProtectedHeader, type JWTPayload } from 'jose';
import { AuthError } from './auth.errors.js';

/** A bearer that is neither: what a mistyped or wrongly copied key hears. */
export const NOT_A_CREDENTIAL =
  'not a valid API key or token (an API key is evk_<12 hex>_<43 base64url>, an access token a signed JWT)';

export interface FailureContext {
  issuer: string;
  audience: string;
  algorithms: readonly string[];
  clockToleranceSec: number;
}

/**
 * Turns jose's verification errors into reasons that say what was wrong, so a caller can tell a
 * wrong audience from a skewed clock from the 401 alone. Matched on jose's stable `code` strings,
 * not classes (which differ between module instances). Header values are echoed only when short
 * and plain, since they are attacker-controlled.
 */
export function describeTokenFailure(error: unknown, token: string, context: FailureContext): AuthError {
  const { code, claim, reason, payload } = (error ?? {}) as {
    code?: unknown;
    claim?: unknown;
    reason?: unknown;
    payload?: JWTPayload;
  };
  switch (code) {
    case 'ERR_JOSE_ALG_NOT_ALLOWED': {
      const alg = headerOf(token).alg;
      if (alg === 'none') return AuthError.unauthenticated('unsigned token (alg "none") refused');
      return AuthError.unauthenticated(
        `algorithm ${quoted(alg)} not allowed (accepted: ${context.algorithms.join(', ')})`,
      );
    }
    case 'ERR_JWKS_NO_MATCHING_KEY': {
      const { kid, alg } = headerOf(token);
      return AuthError.unauthenticated(
        `unknown signing key: no key with kid ${quoted(kid)} for ${quoted(alg)} in the issuer's JWKS`,
      );
    }
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return AuthError.unauthenticated('token has no "kid" and the issuer\'s JWKS holds several candidate keys');
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return AuthError.unauthenticated("token signature does not verify against the issuer's key");
    case 'ERR_JWT_EXPIRED':
      return AuthError.unauthenticated(`token expired at ${isoOf(payload?.exp)}`, 'expired');
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return AuthError.unauthenticated(describeClaimFailure(String(claim), reason, payload, context));
    case 'ERR_JOSE_NOT_SUPPORTED':
      return AuthError.unauthenticated('token uses an unsupported algorithm or key type');
    default:
      return AuthError.unauthenticated(NOT_A_CREDENTIAL);
  }
}

function describeClaimFailure(
  claim: string,
  reason: unknown,
  payload: JWTPayload | undefined,
  context: FailureContext,
): string {
  if (reason === 'missing') return `token lacks the "${claim}" claim`;
  switch (claim) {
    case 'aud':
      return `audience ${context.audience} expected`;
    case 'iss':
      return `issuer ${context.issuer} expected`;
    case 'nbf':
      return typeof payload?.nbf === 'number'
        ? `token not valid before ${isoOf(payload.nbf)} (clock tolerance ${context.clockToleranceSec}s)`
        : 'token has an invalid "nbf" claim';
    default:
      return `token has an invalid "${claim}" claim`;
  }
}

function headerOf(token: string): { alg?: unknown; kid?: unknown } {
  try {
    return decodeProtectedHeader(token);
  } catch {
    return {};
  }
}

function quoted(value: unknown): string {
  return typeof value === 'string' && /^[\w.+-]{1,64}$/.test(value) ? `"${value}"` : '(none or unprintable)';
}

function isoOf(seconds: unknown): string {
  // Beyond ±8.64e15 ms toISOString throws; an absurd claim must not turn a 401 into a 500.
  const valid = typeof seconds === 'number' && Math.abs(seconds * 1000) <= 8.64e15;
  return valid ? new Date(seconds * 1000).toISOString() : '(unknown time)';
}
