/**
 * Turns jose's verification errors into messages that say what was wrong, so a misconfigured
 * caller (wrong secret, wrong target, skewed clock) can tell from the 401 alone. Matched on
 * jose's stable `code` strings rather than classes, which differ between module instances.
 */
export function describeVerificationFailure(error: unknown, serviceName: string): string {
  switch ((error as { code?: unknown } | null)?.code) {
    case 'ERR_JWT_EXPIRED':
      return 'internal identity expired';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'internal identity has a bad signature';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'internal identity is signed with a disallowed algorithm (only HS256 is accepted)';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return describeClaimFailure(error as { claim?: unknown; reason?: unknown }, serviceName);
    default:
      return 'internal identity is not a well-formed signed token';
  }
}

function describeClaimFailure({ claim, reason }: { claim?: unknown; reason?: unknown }, serviceName: string): string {
  if (reason === 'missing') return `internal identity lacks the "${String(claim)}" claim`;
  switch (claim) {
    case 'aud':
      return `internal identity has the wrong audience (this is "${serviceName}")`;
    case 'iss':
      return 'internal identity has the wrong issuer';
    case 'nbf':
    case 'iat':
      return 'internal identity is not valid yet (issued in the future)';
    default:
      return `internal identity has an invalid "${String(claim)}" claim`;
  }
}
