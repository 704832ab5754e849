import type pg from 'pg';
import type { RetentionPolicy, RetentionView } from '@evalvault/service-apis';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Per-tenant retention. A purge removes the longest chain prefix whose events are all older
 * than the cutoff — only a prefix, so the rest of the chain stays linked — and moves the
 * tenant's anchor to the last purged entry: its seq and hash (where verification resumes),
 * the running count of purged entries and the cutoff (which events a replay may find
 * without an entry). An entry older than the cutoff that sits after a younger one waits for
 * a later purge.
 */
export class AuditRetention {
  constructor(private readonly pool: pg.Pool) {}

  async get(tenantId: string): Promise<RetentionView> {
    const {
      rows: [policy],
    } = await this.pool.query<{ retention_days: number | null }>(
      `SELECT retention_days FROM audit.retention_policies WHERE tenant_id = $1`,
      [tenantId],
    );
    const {
      rows: [anchor],
    } = await this.pool.query<{ through_seq: string; through_hash: string; purged_count: string; purged_before: Date }>(
      `SELECT through_seq::text, through_hash, purged_count::text, purged_before FROM audit.anchors WHERE tenant_id = $1`,
      [tenantId],
    );
    return {
      retentionDays: policy?.retention_days ?? null,
      anchor: anchor
        ? {
            throughSeq: Number(anchor.through_seq),
            throughHash: anchor.through_hash,
            purgedCount: Number(anchor.purged_count),
            purgedBefore: anchor.purged_before.toISOString(),
          }
        : null,
    };
  }

  async set(tenantId: string, policy: RetentionPolicy): Promise<RetentionView> {
    await this.pool.query(
      `INSERT INTO audit.retention_policies (tenant_id, retention_days) VALUES ($1, $2)
       ON CONFLICT (tenant_id) DO UPDATE SET retention_days = EXCLUDED.retention_days, updated_at = now()`,
      [tenantId, policy.retentionDays],
    );
    return this.get(tenantId);
  }

  /** Purges every tenant that has a policy; what a periodic job calls. */
  async purgeAll(now: number): Promise<number> {
    const { rows } = await this.pool.query<{ tenant_id: string }>(
      `SELECT tenant_id FROM audit.retention_policies WHERE retention_days IS NOT NULL`,
    );
    let purged = 0;
    for (const { tenant_id } of rows) purged += await this.purge(tenant_id, now);
    return purged;
  }

  /** Entries purged now for one tenant (0 without a policy or nothing old enough). */
  async purge(tenantId: string, now: number): Promise<number> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const purged = await purgeInTransaction(client, tenantId, now);
      await client.query('COMMIT');
      return purged;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

async function purgeInTransaction(client: pg.PoolClient, tenantId: string, now: number): Promise<number> {
  const {
    rows: [policy],
  } = await client.query<{ retention_days: number | null }>(
    `SELECT retention_days FROM audit.retention_policies WHERE tenant_id = $1`,
    [tenantId],
  );
  if (!policy?.retention_days) return 0;
  // The chain head's lock keeps the consumer from appending while the prefix moves.
  const {
    rows: [head],
  } = await client.query<{ seq: string }>(`SELECT seq::text FROM audit.chain_heads WHERE tenant_id = $1 FOR UPDATE`, [
    tenantId,
  ]);
  if (!head) return 0;
  const cutoff = new Date(now - policy.retention_days * DAY_MS);
  const {
    rows: [anchor],
  } = await client.query<{ through_seq: string }>(`SELECT through_seq::text FROM audit.anchors WHERE tenant_id = $1`, [
    tenantId,
  ]);
  const {
    rows: [firstKept],
  } = await client.query<{ seq: string | null }>(
    `SELECT min(seq)::text AS seq FROM audit.entries WHERE tenant_id = $1 AND occurred_at >= $2`,
    [tenantId, cutoff],
  );
  const through = firstKept?.seq ? Number(firstKept.seq) - 1 : Number(head.seq);
  if (through <= Number(anchor?.through_seq ?? 0)) return 0;
  const {
    rows: [last],
  } = await client.query<{ hash: string }>(`SELECT hash FROM audit.entries WHERE tenant_id = $1 AND seq = $2`, [
    tenantId,
    through,
  ]);
  if (!last)
    throw new Error(`audit chain of ${tenantId} has no entry ${through} to anchor on: verify it before purging`);
  const deleted = await client.query(`DELETE FROM audit.entries WHERE tenant_id = $1 AND seq <= $2`, [
    tenantId,
    through,
  ]);
  await client.query(
    `INSERT INTO audit.anchors AS a (tenant_id, through_seq, through_hash, purged_count, purged_before) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (tenant_id) DO UPDATE SET through_seq = EXCLUDED.through_seq, through_hash = EXCLUDED.through_hash,
       purged_count = a.purged_count + EXCLUDED.purged_count, purged_before = GREATEST(a.purged_before, EXCLUDED.purged_before)`,
    [tenantId, through, last.hash, deleted.rowCount ?? 0, cutoff],
  );
  return deleted.rowCount ?? 0;
}
