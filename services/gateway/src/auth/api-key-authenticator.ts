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
  constructor(
    private readonly store: ApiKeyStore,
    private readonly hasher: ApiKeySecretHasher,
  ) {}

  async authenticate(token: string, now: Date): Promise<Principal> {
    const parsed = parseApiKey(token);
    if (!parsed) throw AuthError.unauthenticated('malformed API key (expected evk_<12 hex characters>_<43 base64url characters>)');
    const { keyId, secret } = parsed;
    const name = `${API_KEY_PREFIX}${keyId}`;
    const record = await this.store.findByKeyId(keyId);
    if (!record || record.keyId !== keyId) throw AuthError.unauthenticated(`unknown API key ${name}`);
    // The secret is checked before revocation and expiry so only the key's holder learns its state.
    if (!this.hasher.matches(secret, record.secretHash)) throw AuthError.unauthenticated(`wrong secret for API key ${name}`);
    if (record.revokedAt !== null) {
      throw AuthError.unauthenticated(`API key ${name} was revoked at ${record.revokedAt.toISOString()}`);
    }
    if (record.expiresAt !== null && now.getTime() >= record.expiresAt.getTime()) {
      throw AuthError.unauthenticated(`API key ${name} expired at ${record.expiresAt.toISOString()}`);
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
