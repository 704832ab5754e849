import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { ApiKeyAuthenticator } from './api-key-authenticator.js';
import { ApiKeySecretHasher, issueApiKey, type ApiKeyRecord } from './api-keys.js';
import { InMemoryApiKeyStore } from './testing/index.js';
import { VERIFIED_KEY_TTL_MS, VerifiedKeyCache } from './verified-key-cache.js';

const hasher = new ApiKeySecretHasher(randomBytes(32));
const T0 = new Date('2026-12-01T00:00:00Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);

/** Counts store reads, so a test can tell a cache hit from a lookup. */
class CountingStore extends InMemoryApiKeyStore {
  reads = 0;
  override async findByKeyId(keyId: string): Promise<ApiKeyRecord | null> {
    this.reads += 1;
    return super.findByKeyId(keyId);
  }
}

async function setUp(expiresAt: Date | null = null) {
  const store = new CountingStore();
  const issued = issueApiKey(
    { tenantId: 't', projectId: 'p', role: 'editor', name: 'ci', expiresAt },
    { hasher, now: T0 },
  );
  await store.save(issued.record);
  return { store, key: issued.plaintext, keyId: issued.record.keyId, apiKeys: new ApiKeyAuthenticator(store, hasher) };
}

describe('API keys: the verified-key cache', () => {
  it('answers a verified key again without reading the store', async () => {
    const { store, key, apiKeys } = await setUp();
    await apiKeys.authenticate(key, at(0));
    await apiKeys.authenticate(key, at(VERIFIED_KEY_TTL_MS - 1));
    expect(store.reads).toBe(1);
  });

  it('refuses a forged secret for a cached key id, reading the store each time', async () => {
    const { store, key, apiKeys } = await setUp();
    await apiKeys.authenticate(key, at(0));
    const forged = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
    await expect(apiKeys.authenticate(forged, at(1))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(apiKeys.authenticate(forged, at(2))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(store.reads).toBe(3);
  });

  it('refuses a key revoked through this gateway on the very next request', async () => {
    const { store, key, keyId, apiKeys } = await setUp();
    await apiKeys.authenticate(key, at(0));
    await store.revoke(keyId, at(1));
    await expect(apiKeys.authenticate(key, at(2))).rejects.toMatchObject({ lapsed: 'revoked' });
  });

  it('refuses a key revoked elsewhere (no push) within the bound', async () => {
    const { store, key, keyId } = await setUp();
    const apiKeys = new ApiKeyAuthenticator({ findByKeyId: (id) => store.findByKeyId(id) }, hasher);
    await apiKeys.authenticate(key, at(0));
    await store.revoke(keyId, at(1));
    await expect(apiKeys.authenticate(key, at(VERIFIED_KEY_TTL_MS))).rejects.toMatchObject({ lapsed: 'revoked' });
  });

  it('refuses a cached key at its expiry, not at the end of the cache entry', async () => {
    const { key, apiKeys } = await setUp(at(1_000));
    await apiKeys.authenticate(key, at(0));
    await expect(apiKeys.authenticate(key, at(1_000))).rejects.toMatchObject({ lapsed: 'expired' });
  });

  it('holds no secret: a hit is known by a digest of it, which is not the keyed hash the store keeps', async () => {
    const { store, key, apiKeys } = await setUp();
    const cache = new VerifiedKeyCache();
    const cached = new ApiKeyAuthenticator(store, hasher, cache);
    await cached.authenticate(key, at(0));
    const secret = key.slice('evk_'.length + 12 + 1);
    const keyedHash = Buffer.from(hasher.hash(secret).slice('hmac-sha256:'.length), 'base64url');
    const entries = (cache as unknown as { entries: Map<string, { secretDigest: Buffer }> }).entries;
    expect(inspect(cache, { depth: 5 })).not.toContain(secret);
    expect([...entries.values()].map((entry) => entry.secretDigest.equals(keyedHash))).toEqual([false]);
    await cached.authenticate(key, at(1));
    expect(store.reads).toBe(1);
    await apiKeys.authenticate(key, at(2));
    expect(store.reads).toBe(2);
  });

  it('answers a cached key without waiting only while it is verified, unrevoked and unexpired', async () => {
    const { store, key, keyId, apiKeys } = await setUp(at(VERIFIED_KEY_TTL_MS / 2));
    expect(apiKeys.fromCache(key, at(0))).toBeNull(); // never verified: only authenticate() may answer
    const principal = await apiKeys.authenticate(key, at(0));
    expect(apiKeys.fromCache(key, at(1))).toEqual(principal);
    expect(apiKeys.fromCache(`${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`, at(1))).toBeNull();
    expect(apiKeys.fromCache(key, at(VERIFIED_KEY_TTL_MS / 2))).toBeNull(); // expired: authenticate() says so
    await apiKeys.authenticate(key, at(2));
    await store.revoke(keyId, at(3));
    expect(apiKeys.fromCache(key, at(4))).toBeNull();
    expect(store.reads).toBe(1);
  });

  it('does not cache a lookup that raced a revocation', async () => {
    const { store, key, keyId } = await setUp();
    const cache = new VerifiedKeyCache();
    const racing = {
      findByKeyId: async (id: string) => {
        const record = await store.findByKeyId(id); // read before the revocation lands
        cache.forget(keyId);
        return record;
      },
    };
    await new ApiKeyAuthenticator(racing, hasher, cache).authenticate(key, at(0));
    await store.revoke(keyId, at(1));
    await expect(new ApiKeyAuthenticator(store, hasher, cache).authenticate(key, at(2))).rejects.toMatchObject({
      lapsed: 'revoked',
    });
  });
});
