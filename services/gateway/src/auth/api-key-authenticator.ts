import { AuthError } from './auth.errors.js';
import {
  API_KEY_PREFIX,
  parseApiKey,
  type ApiKeyRecord,
  type ApiKeySecretHasher,
  type ApiKeyStore,
} from './api-keys.js';
import type { Principal } from './principal.js';
import { VerifiedKeyCache } from './verified-key-cache.js';

/**
 * Turns an `evk_…` key into a Principal. A key that passed the full check is trusted for a few
 * seconds (VerifiedKeyCache): the store lookup, then the keyed hash, were the largest single costs of
 * a request; the secret is hashed under the pepper only when the store is read. A
 * revocation through this gateway removes the key's entry at once (the store pushes it); one
 * made elsewhere takes effect within VERIFIED_KEY_TTL_MS. Expiry is checked on every request.
 * Reasons name the key by its public id only; the secret never appears in a message.
 * Store failures propagate unchanged: a database outage is a 5xx, not a 401.
 */
export class ApiKeyAuthenticator {
  private readonly decoy: string;

  constructor(
    private readonly store: ApiKeyStore,
    private readonly hasher: ApiKeySecretHasher,
    private readonly cache = new VerifiedKeyCache(),
  ) {
    this.decoy = hasher.hash('decoy secret compared when the key id is unknown');
    store.onRevoked?.((keyId) => cache.forget(keyId));
  }

  /**
   * The principal of a key verified within the cache's bound and unexpired, without waiting; null
   * when only `authenticate` can answer (not cached, malformed, expired: it gives the reason).
   */
  fromCache(token: string, now: Date): Principal | null {
    const parsed = parseApiKey(token);
    const record = parsed && this.cache.get(parsed.keyId, parsed.secret, now.getTime());
    return record && !expired(record, now) ? principalOf(record) : null;
  }

  async authenticate(token: string, now: Date): Promise<Principal> {
    const parsed = parseApiKey(token);
    if (!parsed)
      throw AuthError.unauthenticated('malformed API key (expected evk_<12 hex characters>_<43 base64url characters>)');
    const { keyId, secret } = parsed;
    const record = this.cache.get(keyId, secret, now.getTime()) ?? (await this.lookUp(keyId, secret, now));
    if (expired(record, now)) {
      const name = `${API_KEY_PREFIX}${keyId}`;
      throw AuthError.unauthenticated(`API key ${name} expired at ${record.expiresAt.toISOString()}`, 'expired');
    }
    return principalOf(record);
  }

  /** The store's record of a key whose secret matches and which is not revoked; cached if unexpired. */
  private async lookUp(keyId: string, secret: string, now: Date): Promise<ApiKeyRecord> {
    const name = `${API_KEY_PREFIX}${keyId}`;
    const presented = this.hasher.hash(secret);
    const generation = this.cache.generation();
    const record = await this.store.findByKeyId(keyId);
    const known = record !== null && record.keyId === keyId;
    // An unknown id and a wrong secret answer alike (and a decoy hash keeps the time alike), so
    // nobody learns which key ids exist; the secret is checked before revocation and expiry so
    // only the key's holder learns its state.
    if (!this.hasher.hashMatches(presented, known ? record.secretHash : this.decoy) || !known) {
      throw AuthError.unauthenticated(`API key ${name} is not valid (unknown key or wrong secret)`);
    }
    if (record.revokedAt !== null) {
      throw AuthError.unauthenticated(`API key ${name} was revoked at ${record.revokedAt.toISOString()}`, 'revoked');
    }
    this.cache.remember(record, secret, now.getTime(), generation);
    return record;
  }
}

const expired = (record: ApiKeyRecord, now: Date): record is ApiKeyRecord & { expiresAt: Date } =>
  record.expiresAt !== null && now.getTime() >= record.expiresAt.getTime();

function principalOf(record: ApiKeyRecord): Principal {
  return {
    tenantId: record.tenantId,
    subject: `api-key:${record.keyId}`,
    authMethod: 'api_key',
    apiKeyId: record.keyId,
    // An API key is scoped to one project with one role; only the bootstrap key also holds a tenant role.
    projectRoles: { [record.projectId]: [record.role] },
    tenantRoles: [...record.tenantRoles],
  };
}
