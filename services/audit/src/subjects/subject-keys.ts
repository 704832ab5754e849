import type { Sql } from '../log/sql.js';
import type { KeyObject } from 'node:crypto';
import { keyObject, newKey } from './subject-cipher.js';

/** A subject's key: present, destroyed (forgotten), or never made. */
export type SubjectKeyState = { state: 'present'; key: KeyObject } | { state: 'destroyed' } | { state: 'none' };

/**
 * The key tables of the audit schema: one pseudonym key per tenant, one key per subject.
 * Creation is race-free (insert or keep the other writer's row, then read); destruction
 * overwrites the key with NULL, and a tombstone row is left for a subject that never had a
 * key, so a later event of a forgotten subject is not sealed under a fresh key.
 */
export class SubjectKeys {
  constructor(private readonly sql: Sql) {}

  async tenantKey(tenantId: string, create: boolean): Promise<KeyObject | null> {
    if (create) {
      await this.sql(
        `INSERT INTO audit.tenant_keys (tenant_id, pseudonym_key) VALUES ($1, $2) ON CONFLICT (tenant_id) DO NOTHING`,
        [tenantId, newKey()],
      );
    }
    const rows = await this.sql<{ pseudonym_key: Buffer }>(
      `SELECT pseudonym_key FROM audit.tenant_keys WHERE tenant_id = $1`,
      [tenantId],
    );
    return rows[0] ? keyObject(rows[0].pseudonym_key) : null;
  }

  async subjectKey(tenantId: string, pseudonym: string, create: boolean): Promise<SubjectKeyState> {
    if (create) {
      await this.sql(
        `INSERT INTO audit.subject_keys (tenant_id, pseudonym, key) VALUES ($1, $2, $3)
         ON CONFLICT (tenant_id, pseudonym) DO NOTHING`,
        [tenantId, pseudonym, newKey()],
      );
    }
    const rows = await this.sql<{ key: Buffer | null }>(
      `SELECT key FROM audit.subject_keys WHERE tenant_id = $1 AND pseudonym = $2`,
      [tenantId, pseudonym],
    );
    const row = rows[0];
    if (!row) return { state: 'none' };
    return row.key ? { state: 'present', key: keyObject(row.key) } : { state: 'destroyed' };
  }

  /** Crypto-shredding: the key is gone for good; only the pseudonym and the time remain. */
  async destroy(tenantId: string, pseudonym: string): Promise<void> {
    await this.sql(
      `INSERT INTO audit.subject_keys (tenant_id, pseudonym, key, destroyed_at) VALUES ($1, $2, NULL, now())
       ON CONFLICT (tenant_id, pseudonym) DO UPDATE
         SET key = NULL, destroyed_at = COALESCE(audit.subject_keys.destroyed_at, now())`,
      [tenantId, pseudonym],
    );
  }
}
