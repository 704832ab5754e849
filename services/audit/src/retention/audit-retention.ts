import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Actor, AuditRetentionChangedPayload } from '@evalvault/contracts';
import { envelop, type EnvelopeSources, type EventStore } from '@evalvault/platform';
import type {
  PendingRetention,
  RetentionChange,
  RetentionChangeRequest,
  RetentionChangeView,
  RetentionView,
} from '@evalvault/service-apis';
import { TENANT_WIDE_PROJECT } from '../forget/forget-subject.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The stream of one tenant's AuditRetentionChanged events (tenant ids are free text, so hashed in). */
export function retentionStreamId(tenantId: string): string {
  return `retention-${createHash('sha256').update(tenantId).digest('hex').slice(0, 32)}`;
}

/** A retention request the caller got wrong (400) or that finds nothing to act on (404). */
export class RetentionRequestError extends Error {
  constructor(
    readonly code: 'INVALID_INPUT' | 'NOT_FOUND',
    message: string,
  ) {
    super(message);
    this.name = 'RetentionRequestError';
  }
}

export interface RetentionContext {
  actor: Actor;
  correlationId: string;
}

export interface AuditRetentionOptions {
  /** Where AuditRetentionChanged is appended (relayed like the service's other streams). */
  store: EventStore;
  /** The clock (when a change is asked for, when it takes effect) and event ids; injectable for tests. */
  sources: EnvelopeSources;
  /** How long a shortening waits before purges use it (AUDIT_RETENTION_SHORTENING_DELAY_HOURS). */
  shorteningDelayMs: number;
}

interface PolicyRow {
  retention_days: number | null;
  pending_days: number | null;
  pending_reason: string | null;
  pending_requested_at: Date | null;
  pending_effective_at: Date | null;
  pending_event_id: string | null;
}

/** What a request decided: the event to record and the row it leaves (null: nothing changes). */
interface Decision {
  change: RetentionChange;
  payload: AuditRetentionChangedPayload;
  /** The row's retention in force and pending shortening after the change. */
  retentionDays: number | null;
  pending: { days: number; reason: string; effectiveAt: number } | null;
}

/** Shorter means purging earlier: any number of days is shorter than for ever (null). */
const isShorter = (wanted: number | null, inForce: number | null): boolean =>
  wanted !== null && (inForce === null || wanted < inForce);
const days = (value: number | null): string => (value === null ? 'for ever' : `${value} days`);

/**
 * Per-tenant retention. A purge removes the longest chain prefix whose events are all older
 * than the cutoff — only a prefix, so the rest of the chain stays linked — and moves the
 * tenant's anchor to the last purged entry: its seq and hash (where verification resumes),
 * the running count of purged entries and the cutoff (which events a replay may find
 * without an entry). An entry older than the cutoff that sits after a younger one waits for
 * a later purge.
 *
 * Changing the retention is recorded first (AuditRetentionChanged on the tenant's retention
 * stream, which reaches the audit log like any event: who, why, from and to), then applied.
 * A lengthening is in force at once. A shortening needs a reason and waits: it is in force
 * only `shorteningDelayMs` after it was asked for, purges keep the longer retention until then,
 * and it can be cancelled meanwhile — time for auditors to see it (GET retention, the log)
 * and export what it would remove.
 */
export class AuditRetention {
  private readonly store: EventStore;
  private readonly sources: EnvelopeSources;
  private readonly shorteningDelayMs: number;
  /** Changes one at a time in this process: each holds a row lock while its event is appended. */
  private changing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly pool: pg.Pool,
    options: AuditRetentionOptions,
  ) {
    this.store = options.store;
    this.sources = options.sources;
    this.shorteningDelayMs = options.shorteningDelayMs;
  }

  async get(tenantId: string): Promise<RetentionView> {
    await settle(this.pool, tenantId, this.sources.now());
    return this.view(tenantId);
  }

  /** Sets the retention wanted: at once when not shorter than the one in force, else scheduled. */
  set(tenantId: string, request: RetentionChangeRequest, context: RetentionContext): Promise<RetentionChangeView> {
    return this.change(tenantId, context, (policy, now) => {
      const inForce = policy.retention_days;
      const wanted = request.retentionDays;
      const reason = request.reason?.trim() || null;
      if (!isShorter(wanted, inForce)) {
        if (wanted === inForce && policy.pending_days === null) return null;
        if (wanted === inForce) return cancellation(policy, reason);
        return {
          change: 'applied',
          payload: { change: 'applied', fromDays: inForce, toDays: wanted, reason, effectiveAt: now },
          retentionDays: wanted,
          pending: null,
        };
      }
      if (!reason)
        throw new RetentionRequestError(
          'INVALID_INPUT',
          `shortening the audit retention from ${days(inForce)} to ${days(wanted)} needs a reason`,
        );
      // Asked again while it waits: the schedule stands (asking again never brings it forward).
      if (policy.pending_days === wanted) return null;
      const effectiveAt = now + this.shorteningDelayMs;
      return {
        change: 'shortening-scheduled',
        payload: { change: 'shortening-scheduled', fromDays: inForce, toDays: wanted, reason, effectiveAt },
        retentionDays: inForce,
        pending: { days: wanted!, reason, effectiveAt },
      };
    });
  }

  /** Drops the scheduled shortening before it takes effect; NOT_FOUND when none waits. */
  cancelShortening(tenantId: string, reason: string | null, context: RetentionContext): Promise<RetentionChangeView> {
    return this.change(tenantId, context, (policy) => {
      if (policy.pending_days === null)
        throw new RetentionRequestError('NOT_FOUND', 'no shortening of the audit retention is waiting');
      return cancellation(policy, reason?.trim() || null);
    });
  }

  /** Purges every tenant that has a policy; what a periodic job calls. */
  async purgeAll(now: number): Promise<number> {
    const { rows } = await this.pool.query<{ tenant_id: string }>(
      `SELECT tenant_id FROM audit.retention_policies WHERE retention_days IS NOT NULL OR pending_days IS NOT NULL`,
    );
    let purged = 0;
    for (const { tenant_id } of rows) purged += await this.purge(tenant_id, now);
    return purged;
  }

  /** Entries purged now for one tenant (0 without a policy or nothing old enough), under the retention in force at `now`. */
  async purge(tenantId: string, now: number): Promise<number> {
    return transaction(this.pool, async (client) => {
      await settle(client, tenantId, now);
      return purgeInTransaction(client, tenantId, now);
    });
  }

  /**
   * One change at a time per tenant: the policy row is locked, a scheduled shortening already due
   * is moved in force, the decision is recorded as an event and only then written to the row.
   */
  private async change(
    tenantId: string,
    context: RetentionContext,
    decide: (policy: PolicyRow, now: number) => Decision | null,
  ): Promise<RetentionChangeView> {
    const run = this.changing.then(() =>
      transaction(this.pool, async (client) => {
        const now = this.sources.now();
        await client.query(
          `INSERT INTO audit.retention_policies (tenant_id, retention_days) VALUES ($1, NULL) ON CONFLICT (tenant_id) DO NOTHING`,
          [tenantId],
        );
        await settle(client, tenantId, now);
        const {
          rows: [policy],
        } = await client.query<PolicyRow>(
          `SELECT retention_days, pending_days, pending_reason, pending_requested_at, pending_effective_at, pending_event_id
           FROM audit.retention_policies WHERE tenant_id = $1 FOR UPDATE`,
          [tenantId],
        );
        const decision = decide(policy!, now);
        if (!decision) return null;
        const eventId = await this.record(tenantId, decision.payload, context);
        await client.query(
          `UPDATE audit.retention_policies SET retention_days = $2, pending_days = $3, pending_reason = $4,
             pending_requested_at = $5, pending_effective_at = $6, pending_event_id = $7, updated_at = now()
           WHERE tenant_id = $1`,
          decision.pending
            ? [
                tenantId,
                decision.retentionDays,
                decision.pending.days,
                decision.pending.reason,
                new Date(now),
                new Date(decision.pending.effectiveAt),
                eventId,
              ]
            : [tenantId, decision.retentionDays, null, null, null, null, null],
        );
        return decision.change;
      }),
    );
    this.changing = run.catch(() => undefined);
    const change = await run;
    return { ...(await this.view(tenantId)), change };
  }

  private async record(
    tenantId: string,
    payload: AuditRetentionChangedPayload,
    context: RetentionContext,
  ): Promise<string> {
    const streamId = retentionStreamId(tenantId);
    const [event] = envelop(
      streamId,
      [{ type: 'AuditRetentionChanged', payload }],
      {
        tenantId,
        projectId: TENANT_WIDE_PROJECT,
        actor: context.actor,
        correlationId: context.correlationId,
        causationId: null,
      },
      this.sources,
    );
    await this.store.append(streamId, [event!], 'any');
    return event!.eventId;
  }

  private async view(tenantId: string): Promise<RetentionView> {
    const {
      rows: [policy],
    } = await this.pool.query<PolicyRow>(
      `SELECT retention_days, pending_days, pending_reason, pending_requested_at, pending_effective_at, pending_event_id
       FROM audit.retention_policies WHERE tenant_id = $1`,
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
      pending: policy ? pendingOf(policy) : null,
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
}

function cancellation(policy: PolicyRow, reason: string | null): Decision {
  return {
    change: 'shortening-cancelled',
    payload: {
      change: 'shortening-cancelled',
      fromDays: policy.retention_days,
      toDays: policy.pending_days,
      reason,
      effectiveAt: null,
    },
    retentionDays: policy.retention_days,
    pending: null,
  };
}

function pendingOf(policy: PolicyRow): PendingRetention | null {
  if (policy.pending_days === null) return null;
  return {
    retentionDays: policy.pending_days,
    reason: policy.pending_reason!,
    requestedAt: policy.pending_requested_at!.toISOString(),
    effectiveAt: policy.pending_effective_at!.toISOString(),
    eventId: policy.pending_event_id!,
  };
}

/** A shortening whose delay has passed is the retention in force from then on. */
async function settle(db: pg.Pool | pg.PoolClient, tenantId: string, now: number): Promise<void> {
  await db.query(
    `UPDATE audit.retention_policies SET retention_days = pending_days, pending_days = NULL, pending_reason = NULL,
       pending_requested_at = NULL, pending_effective_at = NULL, pending_event_id = NULL, updated_at = now()
     WHERE tenant_id = $1 AND pending_effective_at <= $2`,
    [tenantId, new Date(now)],
  );
}

async function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
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
