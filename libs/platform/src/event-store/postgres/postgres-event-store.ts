import { EventEmitter } from 'node:events';
import type { Pool, PoolClient } from 'pg';
import type { Counter } from 'prom-client';
import { inSpan } from '../../observability/tracing.js';
import { EventCodec, type EvalVaultEvent } from '@evalvault/contracts';
import {
  assertExpectedRevision,
  validateAppend,
  EventStoreError,
  EventStoreErrorCode,
  WrongExpectedRevisionError,
} from '../event-store.errors.js';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  GlobalPosition,
  ReadAllOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../event-store.port.js';
import { PollingSubscription } from '../polling-subscription.js';
import { filterClause, type EventRow } from './event-rows.js';

const NOTIFY_CHANNEL = 'evalvault_events';
const UNIQUE_VIOLATION = '23505';

export interface PostgresEventStoreOptions {
  /** How often a subscription looks for new events when nothing woke it (ms). */
  pollIntervalMs?: number;
  /** LISTEN for appends of other processes (off for PGlite, which does not deliver NOTIFY between connections). */
  listen?: boolean;
  /** Counts appended events (eventstore_events_appended_total). */
  appendedCounter?: Counter;
}

/**
 * The PostgreSQL event store. Global order is (commit_id, sequence) where commit_id is
 * the writer's transaction id; reads stop below pg_snapshot_xmin, the oldest
 * transaction still running, so no reader ever passes an event that commits later.
 * A stream's revision is serialised by a row lock on eventstore.streams.
 */
export class PostgresEventStore implements EventStore {
  private readonly appended = new EventEmitter();
  private listener?: Promise<PoolClient>;

  constructor(
    private readonly pool: Pool,
    private readonly codec: EventCodec = new EventCodec(),
    private readonly options: PostgresEventStoreOptions = {},
  ) {
    this.appended.setMaxListeners(0);
  }

  append(streamId: string, events: readonly EvalVaultEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    return inSpan(
      'eventstore.append',
      { 'evalvault.stream_id': streamId, 'evalvault.event_count': events.length },
      async () => {
        const result = await this.appendInTransaction(streamId, events, expected);
        this.options.appendedCounter?.inc(events.length);
        return result;
      },
    );
  }

  private async appendInTransaction(
    streamId: string,
    events: readonly EvalVaultEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const first = validateAppend(streamId, events);
    const encoded = events.map((event) => this.codec.encode(event));
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const current = await lockStream(client, streamId, first);
      assertExpectedRevision(streamId, expected, current);
      const base = current === null ? -1n : current;
      const next = base + BigInt(events.length);
      const last = await insertEvents(client, streamId, first, base, events, encoded);
      // The revision bump and the wake-up of other processes' subscriptions in one round trip.
      await client.query(
        'UPDATE eventstore.streams SET revision = $2 WHERE stream_id = $1 RETURNING pg_notify($3, $1)',
        [streamId, String(next), NOTIFY_CHANNEL],
      );
      await client.query('COMMIT');
      this.appended.emit('appended');
      return { nextExpectedRevision: next, position: { commit: BigInt(last.commit), sequence: BigInt(last.sequence) } };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      // A retry of an append that already succeeded meets its own events: answer as the first time did.
      const conflict = isUniqueViolation(error) || error instanceof WrongExpectedRevisionError;
      const earlier = conflict ? await earlierAppendOf(client, streamId, events) : null;
      if (earlier) return earlier;
      // Same connection: a pool busy with appends must not be asked for a second one here.
      throw isUniqueViolation(error) ? await wrongRevision(client, streamId, expected) : error;
    } finally {
      client.release();
    }
  }

  async readStream(
    streamId: string,
    options: { fromRevision?: bigint; maxCount?: number } = {},
  ): Promise<RecordedEvent[]> {
    const result = await this.pool.query<EventRow>(
      `SELECT commit_id::text AS commit, sequence::text AS sequence, stream_id, revision::text AS revision, data
         FROM eventstore.events WHERE stream_id = $1 AND revision >= $2 ORDER BY events.revision LIMIT $3`,
      [streamId, String(options.fromRevision ?? 0n), options.maxCount ?? 2_147_483_647],
    );
    return result.rows.map((row) => this.toRecorded(row));
  }

  async readAll(from: GlobalPosition, options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const params: unknown[] = [String(from.commit), String(from.sequence), options.maxCount ?? 1_000];
    const filter = filterClause(options.filter, params);
    const result = await this.pool.query<EventRow>(
      `SELECT commit_id::text AS commit, sequence::text AS sequence, stream_id, revision::text AS revision, data
         FROM eventstore.events
        WHERE (commit_id, sequence) > ($1::text::xid8, $2::bigint)
          AND commit_id < pg_snapshot_xmin(pg_current_snapshot())
          ${filter}
        ORDER BY commit_id, events.sequence
        LIMIT $3`,
      params,
    );
    return result.rows.map((row) => this.toRecorded(row));
  }

  /**
   * Position of the newest committed event (START for an empty store): where a follower starts that wants
   * only what comes next.
   */
  async headPosition(): Promise<GlobalPosition> {
    const { rows } = await this.pool.query<{ commit: string; sequence: string }>(
      `SELECT commit_id::text AS commit, sequence::text AS sequence FROM eventstore.events
        WHERE commit_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY commit_id DESC, events.sequence DESC LIMIT 1`,
    );
    const row = rows[0];
    return row ? { commit: BigInt(row.commit), sequence: BigInt(row.sequence) } : { commit: 0n, sequence: 0n };
  }

  subscribeAll(from: GlobalPosition, options: SubscribeOptions): Subscription {
    if (this.options.listen !== false) void this.startListening();
    return new PollingSubscription(
      (position, maxCount) => this.readAll(position, { maxCount, filter: options.filter }),
      from,
      options,
      this.appended,
      this.options.pollIntervalMs ?? 250,
    );
  }

  private startListening(): Promise<PoolClient> {
    this.listener ??= (async () => {
      const client = await this.pool.connect();
      client.on('notification', () => this.appended.emit('appended'));
      await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
      return client;
    })();
    return this.listener;
  }

  async close(): Promise<void> {
    const listener = await this.listener?.catch(() => undefined);
    if (listener) {
      await listener.query(`UNLISTEN ${NOTIFY_CHANNEL}`).catch(() => undefined);
      listener.release();
    }
  }

  private toRecorded(row: EventRow): RecordedEvent {
    return {
      event: this.codec.decode(row.data),
      streamId: row.stream_id,
      revision: BigInt(row.revision),
      position: { commit: BigInt(row.commit), sequence: BigInt(row.sequence) },
      data: row.data,
    };
  }
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string }).code === UNIQUE_VIOLATION;
}

/** Locks the stream row (creating it if absent) and returns its revision before this append, or null. */
async function lockStream(client: PoolClient, streamId: string, first: EvalVaultEvent): Promise<bigint | null> {
  const existing = await client.query<{ revision: string; tenant_id: string }>(
    'SELECT revision::text, tenant_id FROM eventstore.streams WHERE stream_id = $1 FOR UPDATE',
    [streamId],
  );
  const row = existing.rows[0];
  if (row) {
    if (row.tenant_id !== first.tenantId) {
      throw new EventStoreError(
        EventStoreErrorCode.InvalidAppend,
        `stream ${streamId} cannot be written by tenant ${first.tenantId}`,
      );
    }
    return BigInt(row.revision);
  }
  const created = await client.query(
    `INSERT INTO eventstore.streams (stream_id, revision, tenant_id, project_id) VALUES ($1, -1, $2, $3)
     ON CONFLICT (stream_id) DO NOTHING`,
    [streamId, first.tenantId, first.projectId],
  );
  if (created.rowCount === 1) return null;
  // Another writer created it between our SELECT and INSERT: take its lock and re-read.
  return lockStream(client, streamId, first);
}

/** Rows per INSERT: 5 parameters each, well under the protocol's 65,535 per statement. */
const INSERT_ROWS = 1_000;

/**
 * Inserts the events as rows of multi-row `VALUES` whose parameters travel as they are: the
 * Avro bytes as a binary parameter (node-postgres sends a Buffer in binary format), where a
 * `bytea[]` array parameter would go as a text literal with every byte hex-encoded in Node.
 * Answers the global position of the last row.
 */
async function insertEvents(
  client: PoolClient,
  streamId: string,
  first: EvalVaultEvent,
  base: bigint,
  events: readonly EvalVaultEvent[],
  encoded: readonly Buffer[],
): Promise<{ commit: string; sequence: string }> {
  let last: { commit: string; sequence: string } | undefined;
  for (let start = 0; start < events.length; start += INSERT_ROWS) {
    const params: unknown[] = [streamId, first.tenantId, first.projectId];
    const rows: string[] = [];
    for (let index = start; index < Math.min(events.length, start + INSERT_ROWS); index++) {
      const event = events[index]!;
      const at = params.length;
      params.push(
        String(base + 1n + BigInt(index)),
        event.eventId,
        event.type,
        String(event.occurredAt),
        encoded[index],
      );
      rows.push(
        `($1, $${at + 1}::bigint, $${at + 2}::uuid, $${at + 3}, $2, $3, ` +
          `to_timestamp($${at + 4}::bigint / 1000.0), $${at + 5}::bytea)`,
      );
    }
    const inserted = await client.query<{ commit: string; sequence: string }>(
      `INSERT INTO eventstore.events
         (stream_id, revision, event_id, event_type, tenant_id, project_id, occurred_at, data)
       VALUES ${rows.join(', ')}
       RETURNING commit_id::text AS commit, sequence::text AS sequence`,
      params,
    );
    last = inserted.rows.at(-1);
  }
  return last!;
}

/** A retried append of events already stored answers as the first one did (idempotent writes). */
async function earlierAppendOf(
  client: PoolClient,
  streamId: string,
  events: readonly EvalVaultEvent[],
): Promise<AppendResult | null> {
  const stored = await client.query<{ revision: string; commit: string; sequence: string }>(
    `SELECT revision::text AS revision, commit_id::text AS commit, sequence::text AS sequence
       FROM eventstore.events WHERE stream_id = $1 AND event_id = ANY($2::uuid[]) ORDER BY events.revision`,
    [streamId, events.map((event) => event.eventId)],
  );
  const last = stored.rows.at(-1);
  if (stored.rowCount !== events.length || !last) return null;
  return {
    nextExpectedRevision: BigInt(last.revision),
    position: { commit: BigInt(last.commit), sequence: BigInt(last.sequence) },
  };
}

async function wrongRevision(client: PoolClient, streamId: string, expected: ExpectedRevision): Promise<Error> {
  const actual = await client.query<{ revision: string }>(
    'SELECT revision::text FROM eventstore.streams WHERE stream_id = $1',
    [streamId],
  );
  return new WrongExpectedRevisionError(streamId, expected, actual.rows[0] ? BigInt(actual.rows[0].revision) : null);
}
