import type pg from 'pg';
import type { RetentionView } from '@evalvault/service-apis';
import type { ChainBounds, TenantRetention } from './retention.decider.js';

/** What has been purged so far: the anchor verification starts from. */
export type RetentionAnchor = NonNullable<RetentionView['anchor']>;

type Db = pg.Pool | pg.PoolClient;

interface PolicyRow {
  retention_days: number | null;
  pending_days: number | null;
  pending_reason: string | null;
  pending_requested_at: Date | null;
  pending_effective_at: Date | null;
  pending_event_id: string | null;
}

const POLICY_COLUMNS =
  'retention_days, pending_days, pending_reason, pending_requested_at, pending_effective_at, pending_event_id';

/**
 * The tenants' retention policies (`audit.retention_policies`) and anchors (`audit.anchors`),
 * and the purge of a chain prefix (`audit.entries`). Statements that must hold together run in
 * a transaction (`inTransaction`).
 */
export class RetentionRepository {
  constructor(private readonly pool: pg.Pool) {}

  /** Runs `work` in one transaction, committed when it resolves and rolled back when it throws. */
  async inTransaction<T>(work: (tx: RetentionTransaction) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(new RetentionTransaction(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** A shortening due at `now` is the retention in force from then on. */
  settle(tenantId: string, now: number): Promise<void> {
    return settleDue(this.pool, tenantId, now);
  }

  /** The tenant's policy; null when it never had one. */
  async policy(tenantId: string): Promise<TenantRetention | null> {
    const { rows } = await this.pool.query<PolicyRow>(
      `SELECT ${POLICY_COLUMNS} FROM audit.retention_policies WHERE tenant_id = $1`,
      [tenantId],
    );
    return rows[0] ? policyOf(rows[0]) : null;
  }

  async anchor(tenantId: string): Promise<RetentionAnchor | null> {
    const {
      rows: [anchor],
    } = await this.pool.query<{ through_seq: string; through_hash: string; purged_count: string; purged_before: Date }>(
      `SELECT through_seq::text, through_hash, purged_count::text, purged_before FROM audit.anchors
       WHERE tenant_id = $1`,
      [tenantId],
    );
    return anchor
      ? {
          throughSeq: Number(anchor.through_seq),
          throughHash: anchor.through_hash,
          purgedCount: Number(anchor.purged_count),
          purgedBefore: anchor.purged_before.toISOString(),
        }
      : null;
  }

  /** Tenants with a retention in force or waiting: those a purge pass visits. */
  async tenantsWithPolicy(): Promise<string[]> {
    const { rows } = await this.pool.query<{ tenant_id: string }>(
      `SELECT tenant_id FROM audit.retention_policies WHERE retention_days IS NOT NULL OR pending_days IS NOT NULL`,
    );
    return rows.map((row) => row.tenant_id);
  }
}

/** The statements of one transaction (see `RetentionRepository.inTransaction`). */
export class RetentionTransaction {
  constructor(private readonly client: pg.PoolClient) {}

  settle(tenantId: string, now: number): Promise<void> {
    return settleDue(this.client, tenantId, now);
  }

  /**
   * The tenant's policy row, created (kept for ever) when missing, with a shortening due at `now`
   * moved in force, and locked until the transaction ends: one change at a time per tenant.
   */
  async lockPolicy(tenantId: string, now: number): Promise<TenantRetention> {
    await this.client.query(
      `INSERT INTO audit.retention_policies (tenant_id, retention_days) VALUES ($1, NULL)
       ON CONFLICT (tenant_id) DO NOTHING`,
      [tenantId],
    );
    await settleDue(this.client, tenantId, now);
    const { rows } = await this.client.query<PolicyRow>(
      `SELECT ${POLICY_COLUMNS} FROM audit.retention_policies WHERE tenant_id = $1 FOR UPDATE`,
      [tenantId],
    );
    return policyOf(rows[0]!);
  }

  async savePolicy(tenantId: string, policy: TenantRetention): Promise<void> {
    const { pending } = policy;
    await this.client.query(
      `UPDATE audit.retention_policies SET retention_days = $2, pending_days = $3, pending_reason = $4,
         pending_requested_at = $5, pending_effective_at = $6, pending_event_id = $7, updated_at = now()
       WHERE tenant_id = $1`,
      pending
        ? [
            tenantId,
            policy.retentionDays,
            pending.retentionDays,
            pending.reason,
            new Date(pending.requestedAt),
            new Date(pending.effectiveAt),
            pending.eventId,
          ]
        : [tenantId, policy.retentionDays, null, null, null, null, null],
    );
  }

  /** The retention in force (days; null: for ever or no policy). */
  async retentionInForce(tenantId: string): Promise<number | null> {
    const { rows } = await this.client.query<{ retention_days: number | null }>(
      `SELECT retention_days FROM audit.retention_policies WHERE tenant_id = $1`,
      [tenantId],
    );
    return rows[0]?.retention_days ?? null;
  }

  /**
   * Where the tenant's chain stands for a purge at `cutoff` (ms); null when it has no chain. The
   * chain head's lock keeps the consumer from appending while the prefix moves.
   */
  async chainBounds(tenantId: string, cutoff: number): Promise<ChainBounds | null> {
    const {
      rows: [head],
    } = await this.client.query<{ seq: string }>(
      `SELECT seq::text FROM audit.chain_heads WHERE tenant_id = $1 FOR UPDATE`,
      [tenantId],
    );
    if (!head) return null;
    const {
      rows: [anchor],
    } = await this.client.query<{ through_seq: string }>(
      `SELECT through_seq::text FROM audit.anchors WHERE tenant_id = $1`,
      [tenantId],
    );
    const {
      rows: [firstKept],
    } = await this.client.query<{ seq: string | null }>(
      `SELECT min(seq)::text AS seq FROM audit.entries WHERE tenant_id = $1 AND occurred_at >= $2`,
      [tenantId, new Date(cutoff)],
    );
    return {
      headSeq: Number(head.seq),
      anchoredSeq: Number(anchor?.through_seq ?? 0),
      firstKeptSeq: firstKept?.seq ? Number(firstKept.seq) : null,
    };
  }

  /**
   * Deletes the entries up to `through` and moves the anchor onto it: its seq and hash, the
   * running count of purged entries and the cutoff (ms). The number of entries deleted.
   */
  async purgeThrough(tenantId: string, through: number, cutoff: number): Promise<number> {
    const {
      rows: [last],
    } = await this.client.query<{ hash: string }>(`SELECT hash FROM audit.entries WHERE tenant_id = $1 AND seq = $2`, [
      tenantId,
      through,
    ]);
    if (!last)
      throw new Error(`audit chain of ${tenantId} has no entry ${through} to anchor on: verify it before purging`);
    const deleted = await this.client.query(`DELETE FROM audit.entries WHERE tenant_id = $1 AND seq <= $2`, [
      tenantId,
      through,
    ]);
    const purged = deleted.rowCount ?? 0;
    await this.client.query(
      `INSERT INTO audit.anchors AS a (tenant_id, through_seq, through_hash, purged_count, purged_before)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant_id) DO UPDATE SET through_seq = EXCLUDED.through_seq,
         through_hash = EXCLUDED.through_hash, purged_count = a.purged_count + EXCLUDED.purged_count,
         purged_before = GREATEST(a.purged_before, EXCLUDED.purged_before)`,
      [tenantId, through, last.hash, purged, new Date(cutoff)],
    );
    return purged;
  }
}

/** A shortening whose delay has passed is the retention in force from then on. */
async function settleDue(db: Db, tenantId: string, now: number): Promise<void> {
  await db.query(
    `UPDATE audit.retention_policies SET retention_days = pending_days, pending_days = NULL, pending_reason = NULL,
       pending_requested_at = NULL, pending_effective_at = NULL, pending_event_id = NULL, updated_at = now()
     WHERE tenant_id = $1 AND pending_effective_at <= $2`,
    [tenantId, new Date(now)],
  );
}

function policyOf(row: PolicyRow): TenantRetention {
  return {
    retentionDays: row.retention_days,
    pending:
      row.pending_days === null
        ? null
        : {
            retentionDays: row.pending_days,
            reason: row.pending_reason!,
            requestedAt: row.pending_requested_at!.getTime(),
            effectiveAt: row.pending_effective_at!.getTime(),
            eventId: row.pending_event_id!,
          },
  };
}
