import type { ApiKeyRecord } from './api-keys.js';

/**
 * How long a verified API key is trusted without reading the store again: the bound on how late a
 * revocation made on another gateway replica takes effect here (one made through this replica
 * takes effect at once, pushed by `forget`). Expiry is checked on every request, never cached.
 */
export const VERIFIED_KEY_TTL_MS = 5_000;
/** Enough for every active key of a busy gateway; past it the oldest entry goes first. */
export const VERIFIED_KEY_CACHE_MAX = 10_000;

interface Entry {
  record: ApiKeyRecord;
  trustedUntil: number;
}

/**
 * Keys that passed the full check (secret, revocation, expiry), by key id and the keyed hash of
 * the secret as presented: a wrong or forged secret hashes to another entry and always goes to
 * the store. Removes the store round trip from almost every request.
 */
export class VerifiedKeyCache {
  private readonly entries = new Map<string, Entry>();
  /** Moves on every revocation, so a lookup that raced a revocation is never cached. */
  private revocations = 0;

  constructor(
    private readonly ttlMs = VERIFIED_KEY_TTL_MS,
    private readonly max = VERIFIED_KEY_CACHE_MAX,
  ) {}

  get(keyId: string, presentedHash: string, nowMs: number): ApiKeyRecord | null {
    const key = cacheKey(keyId, presentedHash);
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (nowMs < entry.trustedUntil) return entry.record;
    this.entries.delete(key);
    return null;
  }

  /** The state to pass back to `remember`: taken before the store is read. */
  generation(): number {
    return this.revocations;
  }

  remember(record: ApiKeyRecord, presentedHash: string, nowMs: number, generation: number): void {
    if (generation !== this.revocations || record.revokedAt !== null) return;
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(cacheKey(record.keyId, presentedHash), { record, trustedUntil: nowMs + this.ttlMs });
  }

  /** A revocation: every entry of the key goes, whatever secret it was presented with. */
  forget(keyId: string): void {
    this.revocations += 1;
    const prefix = `${keyId}:`;
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }
}

const cacheKey = (keyId: string, presentedHash: string): string => `${keyId}:${presentedHash}`;
