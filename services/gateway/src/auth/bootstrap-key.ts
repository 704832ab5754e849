import type { EnvelopeSources, EventStore } from '@evalvault/platform';
import { apiKeyStreamId } from '../access/api-key.decider.js';
import { apiKeyRepository, keepSecretHash } from '../access/api-keys.service.js';
import { API_KEY_PREFIX, parseApiKey, type ApiKeyRecord, type ApiKeySecretHasher } from './api-keys.js';
import type { PostgresApiKeyStore } from './postgres-api-key.store.js';
import type { PostgresApiKeySecretStore } from './postgres-api-key-secret.store.js';

export const DEFAULT_TENANT = 'default';
export const DEFAULT_PROJECT = 'default';

export interface BootstrapKeyParts {
  keys: PostgresApiKeyStore;
  secrets: PostgresApiKeySecretStore;
  hasher: ApiKeySecretHasher;
  store: EventStore;
  sources: EnvelopeSources;
}

/**
 * EVALVAULT_BOOTSTRAP_ADMIN_KEY makes a key the operator chose an admin of project `default`
 * of tenant `default`, so a fresh installation can be used (and can issue other keys) without
 * a database console. Only its hash is stored, in the gateway's secret store. Like every key it
 * is an ApiKeyIssued event first (once: a restart with the same key finds the stream), so the key
 * store can be rebuilt from the events and the secret store, and the audit log shows where the
 * key came from. Another secret with the id of a kept key is refused.
 *
 * It holds no audit role: the credential that acts is not the one that reads, or erases, the
 * trail. Its admin grants `auditor` or `audit-admin` to named members or keys, each grant an
 * event in the log. (Bootstrap keys made before were also auditors; a migration took that away.)
 */
export async function ensureBootstrapKey(plaintext: string, parts: BootstrapKeyParts): Promise<string> {
  const parsed = parseApiKey(plaintext);
  if (!parsed)
    throw new Error(`EVALVAULT_BOOTSTRAP_ADMIN_KEY must look like ${API_KEY_PREFIX}<12 hex>_<43 base64url characters>`);
  const record: ApiKeyRecord = {
    keyId: parsed.keyId,
    tenantId: DEFAULT_TENANT,
    projectId: DEFAULT_PROJECT,
    role: 'admin',
    name: 'bootstrap admin',
    secretHash: parts.hasher.hash(parsed.secret),
    prefix: `${API_KEY_PREFIX}${parsed.keyId}`,
    expiresAt: null,
    revokedAt: null,
    createdAt: new Date(parts.sources.now()),
    tenantRoles: [],
  };
  const context = {
    tenantId: DEFAULT_TENANT,
    projectId: DEFAULT_PROJECT,
    correlationId: parts.sources.newId(),
    causationId: null,
    actor: { subject: 'system:bootstrap', authMethod: 'system', apiKeyId: null },
  };
  // Issued by an earlier start: the decider records nothing the second time.
  await keepSecretHash(parts.secrets, record);
  await apiKeyRepository(parts.store, parts.sources).handle(
    apiKeyStreamId(record.keyId),
    {
      type: 'IssueKey',
      key: {
        apiKeyId: record.keyId,
        name: record.name,
        role: record.role,
        prefix: record.prefix,
        expiresAt: null,
        tenantRoles: record.tenantRoles,
      },
    },
    context,
  );
  await parts.keys.save(record);
  return record.prefix;
}
