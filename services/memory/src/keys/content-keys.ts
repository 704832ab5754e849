import type { KeyObject } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { MEMORY_SCHEMA as S } from '../migrations/memory.migrations.js';
import { contentKeyObject, newContentKey, openJson, sealContext, sealJson } from './content-cipher.js';

/** A content key: present, destroyed (its entry forgotten), or never made. */
export type ContentKeyState = { state: 'present'; key: KeyObject } | { state: 'destroyed' } | { state: 'none' };

type Queryable = Pick<DataSource | EntityManager, 'query'>;

/**
 * The key table of the memory schema: one key per fact or behaviour (key id = the entry id).
 * Creation is race-free (insert or keep the other writer's row, then read); a destroyed key
 * stays destroyed: `create` never replaces it, so content forgotten for good is not sealed
 * under a fresh key when the same triple is proposed again.
 */
export class ContentKeys {
  constructor(private readonly db: Queryable) {}

  async key(tenantId: string, keyId: string, create: boolean, on: Queryable = this.db): Promise<ContentKeyState> {
    if (create) {
      await on.query(
        `INSERT INTO ${S}.content_keys (tenant_id, key_id, key) VALUES ($1, $2, $3)
         ON CONFLICT (tenant_id, key_id) DO NOTHING`,
        [tenantId, keyId, newContentKey()],
      );
    }
    const rows: { key: Buffer | null }[] = await on.query(
      `SELECT key FROM ${S}.content_keys WHERE tenant_id = $1 AND key_id = $2`,
      [tenantId, keyId],
    );
    const row = rows[0];
    if (!row) return { state: 'none' };
    return row.key ? { state: 'present', key: contentKeyObject(row.key) } : { state: 'destroyed' };
  }

  /** Crypto-shredding: the key is gone for good (a tombstone row is left when there was none). */
  async destroy(tenantId: string, keyIds: readonly string[], on: Queryable = this.db): Promise<void> {
    if (keyIds.length === 0) return;
    await on.query(
      `INSERT INTO ${S}.content_keys (tenant_id, key_id, key, destroyed_at)
       SELECT $1, id, NULL, now() FROM unnest($2::text[]) AS ids(id)
       ON CONFLICT (tenant_id, key_id) DO UPDATE
         SET key = NULL, destroyed_at = COALESCE(${S}.content_keys.destroyed_at, now())`,
      [tenantId, [...new Set(keyIds)]],
    );
  }

  /** Seals `value` under the entry's key, made on first use; null when the key was destroyed. */
  async seal(tenantId: string, keyId: string, value: unknown): Promise<Buffer | null> {
    const key = await this.key(tenantId, keyId, true);
    return key.state === 'present' ? sealJson(key.key, value, sealContext(tenantId, keyId)) : null;
  }

  /** The sealed value, or null when its key is gone (or never existed, or the bytes do not open). */
  async open<T>(tenantId: string, keyId: string, sealed: Uint8Array, on: Queryable = this.db): Promise<T | null> {
    const key = await this.key(tenantId, keyId, false, on);
    if (key.state !== 'present') return null;
    try {
      return openJson<T>(key.key, sealed, sealContext(tenantId, keyId));
    } catch {
      return null;
    }
  }
}
