import { createHash, randomBytes } from 'node:crypto';

/** RFC 7636: a high-entropy verifier kept here, and its S256 challenge sent with the authorization request. */
export interface PkcePair {
  verifier: string;
  challenge: string;
}

export function createPkcePair(): PkcePair {
  const verifier = randomBytes(32).toString('base64url'); // 43 characters, the minimum length allowed
  return { verifier, challenge: s256Challenge(verifier) };
}

export function s256Challenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** The `state` parameter: binds the redirect to this login, against cross-site request forgery. */
export const randomState = (): string => randomBytes(16).toString('base64url');
