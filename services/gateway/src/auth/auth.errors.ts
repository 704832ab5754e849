/**
 * Why a request was not let in. UNAUTHENTICATED and FORBIDDEN are the caller's problem;
 * UNAVAILABLE is ours (the OIDC issuer's keys could not be fetched), so a client is not told
 * to throw away a token that may be perfectly good.
 */
export type AuthErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'UNAVAILABLE';

/** How a credential that was good stopped being so: told apart so a long response can say why it ended. */
export type CredentialLapse = 'revoked' | 'expired';

export const AUTH_ERROR_STATUS: Readonly<Record<AuthErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  UNAVAILABLE: 503,
};

/**
 * The message is the reason shown to the caller: precise enough to fix a misconfiguration,
 * never carrying a secret or a whole token. No `cause` is chained on purpose: jose's errors hold
 * the claims, and a cause ends up in log lines.
 */
export class AuthError extends Error {
  readonly status: number;

  /** FORBIDDEN by the role matrix: the role the route needs (recorded as a denied access). */
  readonly requiredRole: string | null;

  /** UNAUTHENTICATED because the credential was revoked or is past its expiry (not malformed, unknown or forged). */
  readonly lapsed: CredentialLapse | null;

  constructor(
    readonly code: AuthErrorCode,
    message: string,
    options: { requiredRole?: string; lapsed?: CredentialLapse } = {},
  ) {
    super(message);
    this.name = 'AuthError';
    this.status = AUTH_ERROR_STATUS[code];
    this.requiredRole = options.requiredRole ?? null;
    this.lapsed = options.lapsed ?? null;
  }

  static unauthenticated(reason: string, lapsed?: CredentialLapse): AuthError {
    return new AuthError('UNAUTHENTICATED', reason, lapsed === undefined ? {} : { lapsed });
  }

  static forbidden(reason: string, requiredRole?: string): AuthError {
    return new AuthError('FORBIDDEN', reason, requiredRole === undefined ? {} : { requiredRole });
  }
}

export function isAuthError(value: unknown): value is AuthError {
  return value instanceof AuthError;
}
