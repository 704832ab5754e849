import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import type { AuditDifference, AuditReplayReport } from '@evalvault/service-apis';
import { START, type EventStore } from '@evalvault/platform';
import { canonicalJson } from '../log/canonical.js';
import { buildEntry } from '../log/entry-builder.js';
import { sqlOfPg } from '../log/sql.js';
import { KeyReader, ReplaySealer } from '../subjects/sealers.js';
import { SubjectKeys } from '../subjects/subject-keys.js';
import { ChainWalker, GENESIS, type ChainStart, type StoredEntry } from './chain-walker.js';

const PAGE = 1_000;

interface Anchor extends ChainStart {
  purgedCount: number;
  purgedBefore: Date;
}

/**
 * `POST /v1/audit/replay`: copies the tenant's stored log (entries, head, anchor) in one
 * snapshot, rebuilds its entries from the event store into a scratch table, then walks the
 * copied chain comparing each entry with its rebuilt twin, and finally accounts for every
 * event that has no entry (purged behind the retention anchor, or missing). Copying first
 * means every copied entry's event is already in the store when the rebuild reads it, and
 * entries the consumer adds meanwhile do not disturb the walk. No transaction stays open while
 * the store is read (through the store's own connections): on a single-session database (the
 * embedded PGlite) it would wait on itself. Scratch tables are this connection's temporary ones.
 */
export class AuditReplay {
  constructor(
    private readonly pool: pg.Pool,
    private readonly store: EventStore,
    private readonly pageSize = PAGE,
    /**
     * An event of the store younger than this (on the database's clock) with no entry yet is
     * `pending` (relayed or consumed a moment later), counted but not a difference; older, it is
     * `missing`. 0: every such event is missing.
     */
    private readonly pendingGraceMs = 0,
  ) {}

  async replay(tenantId: string): Promise<AuditReplayReport> {
    const started = performance.now();
    const client = await this.pool.connect();
    try {
      await dropScratch(client);
      await client.query(
        `CREATE TEMP TABLE audit_replay
           (event_id uuid PRIMARY KEY, occurred_at timestamptz(3) NOT NULL, canonical text NOT NULL)`,
      );
      const { anchor, head } = await copyStoredLog(client, tenantId);
      const events = await this.rebuild(client, tenantId);
      const walker = new ChainWalker(anchor ?? GENESIS);
      const walked = await this.walk(client, tenantId, walker);
      const chainDifference = walked.difference ?? walker.finish(head);
      const rest = chainDifference ? null : await unaccounted(client, tenantId, anchor, this.pendingGraceMs);
      const difference = chainDifference ?? rest?.difference ?? null;
      const purged = anchor?.purgedCount ?? 0;
      return {
        status: difference ? 'mismatch' : 'verified',
        counts: { entries: walked.entries, events, purged, compared: walker.compared, pending: rest?.pending ?? 0 },
        headHash: walker.head.seq > 0 ? walker.head.hash : null,
        firstDifference: difference,
        durationMs: Math.round(performance.now() - started),
      };
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      await dropScratch(client).catch(() => undefined);
      client.release();
    }
  }

  /** The scratch projection: every event of the tenant, as the consumer would have recorded it. */
  private async rebuild(client: pg.PoolClient, tenantId: string): Promise<number> {
    const sealer = new ReplaySealer(new KeyReader(new SubjectKeys(sqlOfPg(client))));
    let count = 0;
    for (let from = START; ; ) {
      // The tenant's events only (an index of the store): other tenants' history costs this replay nothing.
      const own = await this.store.readAll(from, { maxCount: this.pageSize, filter: { tenantId } });
      if (own.length > 0) {
        const entries = [];
        // One after another: the sealer reads keys on this transaction's one connection.
        for (const recorded of own) entries.push(await buildEntry(recorded.event, sealer));
        await client.query(
          `INSERT INTO audit_replay (event_id, occurred_at, canonical)
           SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[]) ON CONFLICT DO NOTHING`,
          [
            entries.map((entry) => entry.eventId),
            entries.map((entry) => new Date(entry.occurredAt).toISOString()),
            entries.map((entry) => canonicalJson(entry)),
          ],
        );
        count += own.length;
      }
      if (own.length < this.pageSize) return count;
      from = own.at(-1)!.position;
    }
  }

  private async walk(
    client: pg.PoolClient,
    tenantId: string,
    walker: ChainWalker,
  ): Promise<{ entries: number; difference: AuditDifference | null }> {
    let entries = 0;
    for (let after = walker.head.seq; ; ) {
      const { rows } = await client.query<
        Omit<StoredEntry, 'seq' | 'occurred_at'> & { seq: string; occurred_at: Date }
      >(
        `SELECT e.seq::text AS seq, e.event_id, e.project_id, e.action, e.occurred_at, e.actor_pseudonym,
                e.target_pseudonym, e.resource_keys, e.outcome, e.canonical, e.prev_hash, e.hash, r.canonical AS rebuilt
           FROM audit_replay_stored e LEFT JOIN audit_replay r ON r.event_id = e.event_id
          WHERE e.tenant_id = $1 AND e.seq > $2 ORDER BY e.seq LIMIT $3`,
        [tenantId, after, this.pageSize],
      );
      for (const row of rows) {
        entries += 1;
        const difference = walker.next({ ...row, seq: Number(row.seq), occurred_at: row.occurred_at.toISOString() });
        if (difference) return { entries, difference };
      }
      if (rows.length < this.pageSize) return { entries, difference: null };
      after = Number(rows.at(-1)!.seq);
    }
  }
}

/** The tenant's log as of one snapshot: its entries into a scratch copy, its head and anchor. */
async function copyStoredLog(
  client: pg.PoolClient,
  tenantId: string,
): Promise<{ anchor: Anchor | null; head: ChainStart | null }> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
  try {
    await client.query('CREATE TEMP TABLE audit_replay_stored (LIKE audit.entries)');
    await client.query('INSERT INTO audit_replay_stored SELECT * FROM audit.entries WHERE tenant_id = $1', [tenantId]);
    await client.query('CREATE INDEX ON audit_replay_stored (seq)');
    const copied = { anchor: await loadAnchor(client, tenantId), head: await loadHead(client, tenantId) };
    await client.query('COMMIT');
    return copied;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function dropScratch(client: pg.PoolClient): Promise<void> {
  await client.query('DROP TABLE IF EXISTS pg_temp.audit_replay, pg_temp.audit_replay_stored');
}

async function loadAnchor(client: pg.PoolClient, tenantId: string): Promise<Anchor | null> {
  const { rows } = await client.query<{
    through_seq: string;
    through_hash: string;
    purged_count: string;
    purged_before: Date;
  }>(
    `SELECT through_seq::text, through_hash, purged_count::text, purged_before FROM audit.anchors WHERE tenant_id = $1`,
    [tenantId],
  );
  const row = rows[0];
  return row
    ? {
        seq: Number(row.through_seq),
        hash: row.through_hash,
        purgedCount: Number(row.purged_count),
        purgedBefore: row.purged_before,
      }
    : null;
}

async function loadHead(client: pg.PoolClient, tenantId: string): Promise<ChainStart | null> {
  const { rows } = await client.query<{ seq: string; hash: string }>(
    `SELECT seq::text, hash FROM audit.chain_heads WHERE tenant_id = $1`,
    [tenantId],
  );
  return rows[0] ? { seq: Number(rows[0].seq), hash: rows[0].hash } : null;
}

/**
 * Events with no entry: those older than the anchor's cutoff must number exactly what
 * retention purged; those younger than the grace are pending (on their way to the consumer);
 * any other is missing (deleted, or never consumed).
 */
async function unaccounted(
  client: pg.PoolClient,
  tenantId: string,
  anchor: Anchor | null,
  pendingGraceMs: number,
): Promise<{ difference: AuditDifference | null; pending: number }> {
  const without =
    'FROM audit_replay r WHERE NOT EXISTS ' +
    '(SELECT 1 FROM audit_replay_stored e WHERE e.event_id = r.event_id AND e.tenant_id = $1)';
  const cutoff = anchor?.purgedBefore ?? new Date(0);
  const recent = `r.occurred_at > clock_timestamp() - make_interval(secs => $3::float8 / 1000)`;
  const [counts] = (
    await client.query<{ old: string; pending: string }>(
      `SELECT count(*) FILTER (WHERE r.occurred_at < $2)::text AS old,
              count(*) FILTER (WHERE r.occurred_at >= $2 AND ${recent})::text AS pending ${without}`,
      [tenantId, cutoff, pendingGraceMs],
    )
  ).rows;
  const purged = Number(counts!.old);
  const pending = Number(counts!.pending);
  const {
    rows: [first],
  } = await client.query<{ event_id: string }>(
    `SELECT r.event_id ${without} AND r.occurred_at >= $2 AND NOT ${recent}
     ORDER BY r.occurred_at, r.event_id LIMIT 1`,
    [tenantId, cutoff, pendingGraceMs],
  );
  if (first) {
    const difference: AuditDifference = {
      seq: null,
      eventId: first.event_id,
      kind: 'missing',
      field: null,
      expected: null,
      actual: null,
      message: `event ${first.event_id} is in the event store but has no audit entry`,
    };
    return { difference, pending };
  }
  if (purged !== (anchor?.purgedCount ?? 0)) {
    const difference: AuditDifference = {
      seq: null,
      eventId: null,
      kind: 'purged_mismatch',
      field: 'purgedCount',
      expected: String(anchor?.purgedCount ?? 0),
      actual: String(purged),
      message:
        `${purged} events older than the retention cutoff have no entry, ` +
        `but retention purged ${anchor?.purgedCount ?? 0}`,
    };
    return { difference, pending };
  }
  return { difference: null, pending };
}
