import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import type { EvalVaultEvent } from '@evalvault/contracts';
import { migrateEventStore, PostgresEventStore, runMigrations } from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import { apiKeyStreamId } from '../access/api-key.decider.js';
import { ApiKeysService } from '../access/api-keys.service.js';
import { GATEWAY_MIGRATIONS, GATEWAY_SCHEMA } from '../migrations/gateway.migrations.js';
import { ApiKeyAuthenticator } from './api-key-authenticator.js';
import { rebuildApiKeyStore } from './api-key-store.rebuild.js';
import { ApiKeySecretHasher, type ApiKeyRecord } from './api-keys.js';
import { ensureBootstrapKey } from './bootstrap-key.js';
import type { Principal } from './principal.js';
import { PostgresApiKeySecretStore } from './postgres-api-key-secret.store.js';
import { PostgresApiKeyStore } from './postgres-api-key.store.js';

/**
 * API key secrets stay in the gateway: ApiKeyIssued (on the access topic every service reads)
 * carries no hash, the gateway keeps it in its secret store, and its key store is rebuilt from
 * its own events and that store, on the real PostgreSQL and event store.
 */
describe('API key secrets stay in the gateway', () => {
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let keys: PostgresApiKeyStore;
  let secrets: PostgresApiKeySecretStore;
  let service: ApiKeysService;
  let authenticator: ApiKeyAuthenticator;
  const hasher = new ApiKeySecretHasher(randomBytes(32));
  const sources = { now: Date.now, newId: randomUUID };
  const admin = (tenantId: string): Principal => ({
    tenantId,
    subject: 'alice',
    authMethod: 'oidc',
    apiKeyId: null,
    projectRoles: { default: ['admin'] },
    tenantRoles: [],
  });
  const eventsOf = async (keyId: string): Promise<EvalVaultEvent[]> =>
    (await store.readStream(apiKeyStreamId(keyId))).map(({ event }) => event);

  beforeAll(async () => {
    await migrateEventStore(testDatabaseUrl());
    await runMigrations(testDatabaseUrl(), GATEWAY_SCHEMA, GATEWAY_MIGRATIONS);
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 4 });
    store = new PostgresEventStore(pool);
    keys = new PostgresApiKeyStore(pool);
    secrets = new PostgresApiKeySecretStore(pool);
    service = new ApiKeysService(store, keys, secrets, hasher, sources);
    authenticator = new ApiKeyAuthenticator(keys, hasher);
  });
  afterAll(async () => {
    await store.close();
    await pool.end();
  });

  it('issues a key whose ApiKeyIssued carries no hash, while the gateway keeps it and the key works', async () => {
    const tenant = `tenant-${randomUUID()}`;
    const issued = await service.issue(admin(tenant), 'default', { name: 'ci', role: 'editor', expiresAt: null }, 'c');
    const [event] = await eventsOf(issued.apiKeyId);
    expect(event).toMatchObject({ type: 'ApiKeyIssued', payload: { apiKeyId: issued.apiKeyId, secretHash: '' } });
    const kept = await secrets.hashOf(issued.apiKeyId);
    expect(kept).toMatch(/^hmac-sha256:/);
    const stored = await pool.query<{ data: Buffer }>('SELECT data FROM eventstore.events WHERE stream_id = $1', [
      apiKeyStreamId(issued.apiKeyId),
    ]);
    expect(stored.rows[0]!.data.includes(kept!.slice('hmac-sha256:'.length))).toBe(false);
    await expect(authenticator.authenticate(issued.key, new Date())).resolves.toMatchObject({ tenantId: tenant });
  });

  it('keeps a bootstrap key once, and refuses another secret under its id', async () => {
    const keyId = randomBytes(6).toString('hex');
    const bootstrap = `evk_${keyId}_${randomBytes(32).toString('base64url')}`;
    const parts = { keys, secrets, hasher, store, sources };
    await ensureBootstrapKey(bootstrap, parts);
    await ensureBootstrapKey(bootstrap, parts); // every start
    expect((await eventsOf(keyId)).map((e) => e.type)).toEqual(['ApiKeyIssued']);
    const impostor = `evk_${keyId}_${randomBytes(32).toString('base64url')}`;
    await expect(ensureBootstrapKey(impostor, parts)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(authenticator.authenticate(impostor, new Date())).rejects.toThrow(/not valid/);
    await expect(authenticator.authenticate(bootstrap, new Date())).resolves.toMatchObject({ apiKeyId: keyId });
  });

  it('rebuilds the key store from the gateway’s events and secret store: keys work, revoked ones stay so', async () => {
    const tenant = `tenant-${randomUUID()}`;
    const request = { name: 'ci', role: 'viewer' as const, expiresAt: null };
    const kept = await service.issue(admin(tenant), 'default', request, 'c1');
    const revoked = await service.issue(admin(tenant), 'default', { ...request, name: 'old' }, 'c2');
    await service.revoke(admin(tenant), 'default', revoked.apiKeyId, 'c3');
    const before = await keys.listForProject(tenant, 'default');

    await pool.query('DELETE FROM gateway.api_keys WHERE tenant_id = $1', [tenant]);
    await expect(authenticator.authenticate(kept.key, new Date())).rejects.toThrow(/not valid/);
    expect(await rebuildApiKeyStore({ store, keys, secrets }, { tenantId: tenant })).toEqual({
      rebuilt: 2,
      withoutSecret: [],
    });

    const after = await keys.listForProject(tenant, 'default');
    // Revoked when the event says (the row was stamped a moment before it was written).
    const shown = (records: ApiKeyRecord[]) =>
      records.map(({ keyId, role, name, secretHash, revokedAt }) => ({
        keyId,
        role,
        name,
        secretHash,
        revokedAt: !!revokedAt,
      }));
    expect(shown(after)).toEqual(shown(before));
    await expect(authenticator.authenticate(kept.key, new Date())).resolves.toMatchObject({ apiKeyId: kept.apiKeyId });
    await expect(authenticator.authenticate(revoked.key, new Date())).rejects.toThrow(/revoked/);
  });
});
