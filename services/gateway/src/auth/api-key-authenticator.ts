import { AuthError } from './auth.errors.js';
import { API_KEY_PREFIX, parseApiKey, type ApiKeySecretHasher, type ApiKeyStore } from './api-keys.js';
import type { Principal } from './principal.js';

/**
 * Turns an `evk_…` key into a Principal. Reads the store on every call — no cache — so a revocation
 * takes effect on the very next request; a lookup by primary key is cheap next to the request itself.
 * Reasons name the key by its public id only; the secret never appears in a message.
 * Store failures propagate unchanged: a database outage is a 5xx, not a 401.
 */
export class ApiKeyAuthenticator {
  private readonly decoy: string;

  constructor(
    private readonly store: ApiKeyStore,
    private readonly hasher: ApiKeySecretHasher,
  ) {
    this.decoy = hasher.hash('decoy secret compared when the key id is unknown');
  }

  async authenticate(token: string, now: Date): Promise<Principal> {
    const parsed = parseApiKey(token);
    if (!parsed)
      throw AuthError.unauthenticated('malformed API key (expected evk_<12 hex characters>_<43 base64url characters>)');
    const { keyId, secret } = parsed;
    const name = `${API_KEY_PREFIX}${keyId}`;
    const record = await this.store.findByKeyId(keyId);
    const known = record !== null && record.keyId === keyId;
    // An unknown id and a wrong secret answer alike (and a decoy hash keeps the time alike), so
    // nobody learns which key ids exist; the secret is checked before revocation and expiry so
    // only the key's holder learns its state.
    if (!this.hasher.matches(secret, known ? record.secretHash : this.decoy) || !known) {
      throw AuthError.unauthenticated(`API key ${name} is not valid (unknown key or wrong secret)`);
    }
    if (record.revokedAt !== null) {
      throw AuthError.unauthenticated(`API key ${name} was revoked at ${record.revokedAt.toISOString()}`, 'revoked');
    }
    if (record.expiresAt !== null && now.getTime() >= record.expiresAt.getTime()) {
      throw AuthError.unauthenticated(`API key ${name} expired at ${record.expiresAt.toISOString()}`, 'expired');
    }
    return {
      tenantId: record.tenantId,
      subject: `api-key:${keyId}`,
      authMethod: 'api_key',
      apiKeyId: keyId,
      // An API key is scoped to one project with one role; only the bootstrap key also holds a tenant role.
      projectRoles: { [record.projectId]: [record.role] },
      tenantRoles: record.tenantRoles,
    };
  }
}
