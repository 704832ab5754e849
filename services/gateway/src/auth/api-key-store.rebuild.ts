import type { EventOfType } from '@evalvault/contracts';
import { START, type EventFilter, type EventStore, type GlobalPosition } from '@evalvault/platform';
import type { ApiKeyRecord } from './api-keys.js';
import { isRole, isTenantRole } from './principal.js';
import type { PostgresApiKeyStore } from './postgres-api-key.store.js';
import type { PostgresApiKeySecretStore } from './postgres-api-key-secret.store.js';

const PAGE = 500;

export interface ApiKeyStoreRebuild {
  /** Keys written to the key store (a row already there is left as it is). */
  rebuilt: number;
  /** Keys whose secret hash is nowhere: they cannot authenticate, so they are not written. */
  withoutSecret: string[];
}

interface KeyHistory {
  issued: EventOfType<'ApiKeyIssued'>;
  revokedAt: Date | null;
}

/**
 * Rebuilds the key store the authenticator reads (gateway.api_keys) from what the gateway itself
 * keeps: its `apikey-<id>` streams in the event store and the hashes in its secret store. The
 * events say who holds which key and when it was revoked; only the secret store knows the hash
 * (an event written before it existed still carries one, used if the secret store has none).
 * Optionally one tenant's keys only.
 */
export async function rebuildApiKeyStore(
  parts: { store: EventStore; keys: PostgresApiKeyStore; secrets: PostgresApiKeySecretStore },
  options: { tenantId?: string } = {},
): Promise<ApiKeyStoreRebuild> {
  const histories = await keyHistories(parts.store, options.tenantId);
  const result: ApiKeyStoreRebuild = { rebuilt: 0, withoutSecret: [] };
  for (const [keyId, history] of histories) {
    const secretHash = (await parts.secrets.hashOf(keyId)) ?? (history.issued.payload.secretHash || null);
    const record = secretHash === null ? null : recordOf(history, secretHash);
    if (!record) {
      result.withoutSecret.push(keyId);
      continue;
    }
    await parts.keys.save(record);
    if (record.revokedAt) await parts.keys.revoke(keyId, record.revokedAt);
    result.rebuilt += 1;
  }
  return result;
}

async function keyHistories(store: EventStore, tenantId: string | undefined): Promise<Map<string, KeyHistory>> {
  const histories = new Map<string, KeyHistory>();
  const filter: EventFilter = { streamPrefixes: ['apikey-'], eventTypes: ['ApiKeyIssued', 'ApiKeyRevoked'] };
  let from: GlobalPosition = START;
  for (;;) {
    const page = await store.readAll(from, { maxCount: PAGE, filter });
    for (const { event } of page) {
      if (tenantId !== undefined && event.tenantId !== tenantId) continue;
      if (event.type === 'ApiKeyIssued') histories.set(event.payload.apiKeyId, { issued: event, revokedAt: null });
      if (event.type === 'ApiKeyRevoked') {
        const history = histories.get(event.payload.apiKeyId);
        if (history && !history.revokedAt) history.revokedAt = new Date(event.occurredAt);
      }
    }
    if (page.length < PAGE) return histories;
    from = page.at(-1)!.position;
  }
}

function recordOf({ issued, revokedAt }: KeyHistory, secretHash: string): ApiKeyRecord | null {
  const p = issued.payload;
  if (!isRole(p.role)) return null;
  // Bootstrap keys' tenant roles were taken away (DropBootstrapAuditorRole); their events still name them.
  const tenantRoles = issued.actor.subject === 'system:bootstrap' ? [] : p.tenantRoles.filter(isTenantRole);
  return {
    keyId: p.apiKeyId,
    tenantId: issued.tenantId,
    projectId: issued.projectId,
    role: p.role,
    name: p.name,
    secretHash,
    prefix: p.prefix,
    expiresAt: p.expiresAt === null ? null : new Date(p.expiresAt),
    revokedAt,
    createdAt: new Date(issued.occurredAt),
    tenantRoles,
  };
}
