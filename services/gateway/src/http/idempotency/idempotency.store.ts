import type { Pool } from 'pg';

/** What the first request with a key answered, to be answered again. */
export interface StoredResponse {
  status: number;
  /** The handler's JSON result; undefined when it returned nothing. */
  body: unknown;
}

export type Claim =
  | { kind: 'claimed' }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'mismatch' }
  | { kind: 'in-progress' };

export interface IdempotencyStoreOptions {
  schema?: string;
  /** A key still "in progress" after this long belongs to a request that died (a crash): it may be taken over. Default 60 s. */
  leaseMs?: number;
  /** A completed key older than this is forgotten: its next use runs afresh. Default 24 h. */
  retentionMs?: number;
}

interface Row {
  request_hash: string;
  status_code: number | null;
  response_body: unknown;
  /** As text: a JS Date would drop the microseconds the takeover compares. */
  claimed_at: string;
  expired: boolean;
}

/**
 * Idempotency keys in PostgreSQL, per tenant. The row is inserted before the handler runs
 * (the primary key makes exactly one of several concurrent requests the owner), completed with
 * the response after it, and deleted if the handler fails, so a retry may run it again.
 */
export class IdempotencyStore {
  private readonly table: string;
  private readonly leaseMs: number;
  private readonly retentionMs: number;

  constructor(
    private readonly pool: Pool,
    options: IdempotencyStoreOptions = {},
  ) {
    this.table = `"${options.schema ?? 'gateway'}".idempotency_keys`;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.retentionMs = options.retentionMs ?? 24 * 60 * 60_000;
  }

  async claim(tenantId: string, key: string, requestHash: string): Promise<Claim> {
    // A row deleted between the insert and the select (its request failed) is claimed on the next turn.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const inserted = await this.pool.query(
        `INSERT INTO ${this.table} (tenant_id, key, request_hash) VALUES ($1, $2, $3)
         ON CONFLICT (tenant_id, key) DO NOTHING`,
        [tenantId, key, requestHash],
      );
      if (inserted.rowCount === 1) return { kind: 'claimed' };
      const { rows } = await this.pool.query<Row>(
        `SELECT request_hash, status_code, response_body, created_at::text AS claimed_at,
                created_at < now() - CASE WHEN status_code IS NULL THEN $3::float8 ELSE $4::float8 END * interval '1 millisecond' AS expired
           FROM ${this.table} WHERE tenant_id = $1 AND key = $2`,
        [tenantId, key, this.leaseMs, this.retentionMs],
      );
      const row = rows[0];
      if (!row) continue;
      if (row.expired) {
        if (await this.takeOver(tenantId, key, requestHash, row.claimed_at)) return { kind: 'claimed' };
        continue;
      }
      if (row.request_hash !== requestHash) return { kind: 'mismatch' };
      if (row.status_code === null) return { kind: 'in-progress' };
      return { kind: 'replay', response: { status: row.status_code, body: row.response_body ?? undefined } };
    }
    return { kind: 'in-progress' };
  }

  async complete(tenantId: string, key: string, response: StoredResponse): Promise<void> {
    await this.pool.query(
      `UPDATE ${this.table} SET status_code = $3, response_body = $4::jsonb WHERE tenant_id = $1 AND key = $2`,
      [tenantId, key, response.status, response.body === undefined ? null : JSON.stringify(response.body)],
    );
  }

  /** Forgets a claim whose request failed; a completed key is never released. */
  async release(tenantId: string, key: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.table} WHERE tenant_id = $1 AND key = $2 AND status_code IS NULL`, [
      tenantId,
      key,
    ]);
  }

  /** Deletes keys past retention; for a periodic job (claim() already ignores them). */
  async purgeExpired(): Promise<number> {
    const result = await this.pool.query(
      `DELETE FROM ${this.table} WHERE status_code IS NOT NULL AND created_at < now() - $1::float8 * interval '1 millisecond'`,
      [this.retentionMs],
    );
    return result.rowCount ?? 0;
  }

  /** Re-claims an expired row; only one of several racing requests matches the old timestamp. */
  private async takeOver(tenantId: string, key: string, requestHash: string, claimedAt: string): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE ${this.table} SET request_hash = $3, status_code = NULL, response_body = NULL, created_at = now()
        WHERE tenant_id = $1 AND key = $2 AND created_at = $4::timestamptz`,
      [tenantId, key, requestHash, claimedAt],
    );
    return result.rowCount === 1;
  }
}
