import { API_KEY_PREFIX, parseApiKey, type ApiKeySecretHasher } from './api-keys.js';
import type { PostgresApiKeyStore } from './postgres-api-key.store.js';

export const DEFAULT_TENANT = 'default';
export const DEFAULT_PROJECT = 'default';

/**
 * EVALVAULT_BOOTSTRAP_ADMIN_KEY makes a key the operator chose an admin of project
 * `default` in tenant `default`, so a fresh installation can be used (and can issue
 * other keys) without a database console. Only its hash is stored.
 */
export async function ensureBootstrapKey(plaintext: string, store: PostgresApiKeyStore, hasher: ApiKeySecretHasher): Promise<string> {
  const parsed = parseApiKey(plaintext);
  if (!parsed) throw new Error(`EVALVAULT_BOOTSTRAP_ADMIN_KEY must look like ${API_KEY_PREFIX}<12 hex>_<43 base64url characters>`);
  await store.save({
    keyId: parsed.keyId, tenantId: DEFAULT_TENANT, projectId: DEFAULT_PROJECT, role: 'admin', name: 'bootstrap admin',
    secretHash: hasher.hash(parsed.secret), prefix: `${API_KEY_PREFIX}${parsed.keyId}`, expiresAt: null, revokedAt: null, createdAt: new Date(),
  });
  return `${API_KEY_PREFIX}${parsed.keyId}`;
}
