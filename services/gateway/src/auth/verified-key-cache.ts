import { hash, timingSafeEqual } from 'node:crypto';
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
  /** SHA-256 of the secret that passed the full check: enough to recognise it, useless to present. */
  secretDigest: Buffer;
  trustedUntil: number;
}

/**
 * Keys that passed the full check (secret, revocation, expiry), by key id, with a digest of the
 * secret that passed. Removes the store round trip from almost every request, and the keyed hash
 * too: a hit costs one SHA-256 of the presented secret, compared in constant time, where the
 * HMAC under the pepper was the largest single cost of an authenticated request
 * (docs/performance.md). The digest is unpeppered on purpose: the pepper guards the store's hashes
 * against someone holding a database dump, while this memory also holds the pepper, and a
 * secret of 256 random bits cannot be recovered from its SHA-256 either way. A wrong or forged
 * secret never matches and always goes to the store.
 */
export class VerifiedKeyCache {
  private readonly entries = new Map<string, Entry>();
  /** Moves on every revocation, so a lookup that raced a revocation is never cached. */
  private revocations = 0;

  constructor(
    private readonly ttlMs = VERIFIED_KEY_TTL_MS,
    private readonly max = VERIFIED_KEY_CACHE_MAX,
  ) {}

  get(keyId: string, secret: string, nowMs: number): ApiKeyRecord | null {
    const entry = this.entries.get(keyId);
    if (!entry || !timingSafeEqual(entry.secretDigest, digestOf(secret))) return null;
    if (nowMs < entry.trustedUntil) return entry.record;
    this.entries.delete(keyId);
    return null;
  }

  /** The state to pass back to `remember`: taken before the store is read. */
  generation(): number {
    return this.revocations;
  }

  remember(record: ApiKeyRecord, secret: string, nowMs: number, generation: number): void {
    if (generation !== this.revocations || record.revokedAt !== null) return;
    this.entries.delete(record.keyId); // re-inserted last, so eviction takes the least recently verified
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(record.keyId, { record, secretDigest: digestOf(secret), trustedUntil: nowMs + this.ttlMs });
  }

  /** A revocation: the key's entry goes, whatever secret it was verified with. */
  forget(keyId: string): void {
    this.revocations += 1;
    this.entries.delete(keyId);
  }
}

const digestOf = (secret: string): Buffer => hash('sha256', secret, 'buffer');
