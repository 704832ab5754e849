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

/**
 * Where a key is unique within its tenant: `project:<id>` for a route under
 * `/v1/projects/{project}`, `tenant` for a tenant-level route (no project in it). Rows from before
 * keys had a scope are `legacy` (see claim()).
 */
export type IdempotencyScope = 'tenant' | `project:${string}`;

export const TENANT_SCOPE = 'tenant' satisfies IdempotencyScope;
const LEGACY_SCOPE = 'legacy';

/** The scope of a key sent to a route of this project, or to a tenant-level route (null). */
export function idempotencyScope(projectId: string | null): IdempotencyScope {
  return projectId === null ? TENANT_SCOPE : `project:${projectId}`;
}

export interface IdempotencyStoreOptions {
  schema?: string;
  /**
   * A key still "in progress" after this long belongs to a request that died (a crash): it may be taken
   * over. Default 60 s.
   */
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
 * Idempotency keys in PostgreSQL, per tenant and scope (a project, or the tenant's own routes):
 * the same key in two projects is two keys, and neither learns of the other. The row is inserted
 * before the handler runs (the primary key makes exactly one of several concurrent requests the
 * owner), completed with the response after it, and deleted if the handler fails, so a retry may
 * run it again.
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

  async claim(tenantId: string, scope: IdempotencyScope, key: string, requestHash: string): Promise<Claim> {
    // A row deleted between the insert and the select (its request failed) is claimed on the next turn.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const inserted = await this.pool.query(
        `INSERT INTO ${this.table} (tenant_id, scope, key, request_hash) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, scope, key) DO NOTHING`,
        [tenantId, scope, key, requestHash],
      );
      if (inserted.rowCount === 1) return this.claimed(tenantId, scope, key, requestHash);
      const row = await this.find(tenantId, scope, key);
      if (!row) continue;
      if (row.expired) {
        if (await this.takeOver(tenantId, scope, key, requestHash, row.claimed_at))
          return this.claimed(tenantId, scope, key, requestHash);
        continue;
      }
      if (row.request_hash !== requestHash) return { kind: 'mismatch' };
      if (row.status_code === null) return { kind: 'in-progress' };
      return { kind: 'replay', response: { status: row.status_code, body: row.response_body ?? undefined } };
    }
    return { kind: 'in-progress' };
  }

  async complete(tenantId: string, scope: IdempotencyScope, key: string, response: StoredResponse): Promise<void> {
    await this.pool.query(
      `UPDATE ${this.table} SET status_code = $4, response_body = $5::jsonb
        WHERE tenant_id = $1 AND scope = $2 AND key = $3`,
      [tenantId, scope, key, response.status, response.body === undefined ? null : JSON.stringify(response.body)],
    );
  }

  /** Forgets a claim whose request failed; a completed key is never released. */
  async release(tenantId: string, scope: IdempotencyScope, key: string): Promise<void> {
    await this.pool.query(
      `DELETE FROM ${this.table} WHERE tenant_id = $1 AND scope = $2 AND key = $3 AND status_code IS NULL`,
      [tenantId, scope, key],
    );
  }

  /** Deletes keys past retention; for a periodic job (claim() already ignores them). */
  async purgeExpired(): Promise<number> {
    const result = await this.pool.query(
      `DELETE FROM ${this.table}
        WHERE status_code IS NOT NULL AND created_at < now() - $1::float8 * interval '1 millisecond'`,
      [this.retentionMs],
    );
    return result.rowCount ?? 0;
  }

  private async find(tenantId: string, scope: string, key: string): Promise<Row | undefined> {
    const { rows } = await this.pool.query<Row>(
      `SELECT request_hash, status_code, response_body, created_at::text AS claimed_at,
              created_at < now() - CASE WHEN status_code IS NULL THEN $4::float8 ELSE $5::float8 END
                                   * interval '1 millisecond' AS expired
         FROM ${this.table} WHERE tenant_id = $1 AND scope = $2 AND key = $3`,
      [tenantId, scope, key, this.leaseMs, this.retentionMs],
    );
    return rows[0];
  }

  /**
   * A key just claimed in its scope, unless a row from before keys had a scope holds this very
   * request (same method, URL — which names the project — and body): that answer is copied into
   * the scope and replayed, so a retry across the upgrade does not run the command twice. A
   * legacy row for another request is ignored, never a mismatch: it may be another project's.
   */
  private async claimed(tenantId: string, scope: IdempotencyScope, key: string, requestHash: string): Promise<Claim> {
    const legacy = await this.find(tenantId, LEGACY_SCOPE, key);
    if (!legacy || legacy.expired || legacy.request_hash !== requestHash) return { kind: 'claimed' };
    if (legacy.status_code === null) {
      await this.release(tenantId, scope, key);
      return { kind: 'in-progress' };
    }
    const response = { status: legacy.status_code, body: legacy.response_body ?? undefined };
    await this.complete(tenantId, scope, key, response);
    return { kind: 'replay', response };
  }

  /** Re-claims an expired row; only one of several racing requests matches the old timestamp. */
  private async takeOver(
    tenantId: string,
    scope: IdempotencyScope,
    key: string,
    requestHash: string,
    claimedAt: string,
  ): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE ${this.table} SET request_hash = $4, status_code = NULL, response_body = NULL, created_at = now()
        WHERE tenant_id = $1 AND scope = $2 AND key = $3 AND created_at = $5::timestamptz`,
      [tenantId, scope, key, requestHash, claimedAt],
    );
    return result.rowCount === 1;
  }
}
