import { EventEmitter } from 'node:events';
import type { Pool } from 'pg';
import { inSpan } from '../../observability/tracing.js';
import { EventCodec, type EvalVaultEvent } from '@evalvault/contracts';
import {
  validateAppend,
  EventStoreError,
  EventStoreErrorCode,
  WrongExpectedRevisionError,
} from '../event-store.errors.js';
import type {
  AppendResult,
  EventFilter,
  EventStore,
  ExpectedRevision,
  GlobalPosition,
  ReadAllOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../event-store.port.js';
import { measuredAppend, type AppendMetrics } from '../append-metrics.js';
import { PollingSubscription } from '../polling-subscription.js';
import { filterClause, readAllQuery, type EventRow } from './event-rows.js';
import { NotifyListener, type ListenerLog } from './notify-listener.js';

const NOTIFY_CHANNEL = 'evalvault_events';
const UNIQUE_VIOLATION = '23505';
const STREAM_OF_ANOTHER_TENANT = 'EV001';
const WRONG_REVISION = 'EV002';

export interface PostgresEventStoreOptions {
  /** How often a subscription looks for new events when nothing woke it (ms). */
  pollIntervalMs?: number;
  /** LISTEN for appends of other processes (off for PGlite, which does not deliver NOTIFY between connections). */
  listen?: boolean;
  /** Counts appended events and times appends (eventstore_events_appended_total, …_append_duration_seconds). */
  metrics?: AppendMetrics;
  /** Where the LISTEN connection reports that PostgreSQL went away and came back. */
  logger?: ListenerLog;
}

/**
 * The PostgreSQL event store. Global order is (commit_id, sequence) where commit_id is
 * the writer's transaction id; reads stop below pg_snapshot_xmin, the oldest
 * transaction still running, so no reader ever passes an event that commits later.
 * A stream's revision is serialised by a row lock on eventstore.streams.
 */
export class PostgresEventStore implements EventStore {
  private readonly appended = new EventEmitter();
  private readonly listener: NotifyListener;
  private notifying = false;
  private notifyAgain = false;

  constructor(
    private readonly pool: Pool,
    private readonly codec: EventCodec = new EventCodec(),
    private readonly options: PostgresEventStoreOptions = {},
  ) {
    this.appended.setMaxListeners(0);
    this.listener = new NotifyListener(pool, NOTIFY_CHANNEL, () => this.appended.emit('appended'), options.logger);
  }

  append(streamId: string, events: readonly EvalVaultEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    return inSpan(
      'eventstore.append',
      { 'evalvault.stream_id': streamId, 'evalvault.event_count': events.length },
      async () => {
        return measuredAppend(this.options.metrics, 'postgres', events.length, () =>
          this.appendInOneStatement(streamId, events, expected),
        );
      },
    );
  }

  /**
   * One statement, one round trip: eventstore.append_to_stream (append-function.migration.ts) locks,
   * checks, inserts, bumps the revision and notifies in the statement's own transaction.
   */
  private async appendInOneStatement(
    streamId: string,
    events: readonly EvalVaultEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const first = validateAppend(streamId, events);
    try {
      const { rows } = await this.pool.query<{ next_revision: string; last_commit: string; last_sequence: string }>(
        `SELECT next_revision::text, last_commit, last_sequence FROM eventstore.append_to_stream(
           $1, $2, $3, $4, $5::uuid[], $6::text[], $7::bigint[], $8::bytea[])`,
        [
          streamId,
          first.tenantId,
          first.projectId,
          String(expected),
          events.map((event) => event.eventId),
          events.map((event) => event.type),
          events.map((event) => String(event.occurredAt)),
          events.map((event) => this.codec.encode(event)),
        ],
      );
      this.appended.emit('appended');
      this.wakeOtherProcesses();
      const row = rows[0]!;
      return {
        nextExpectedRevision: BigInt(row.next_revision),
        position: { commit: BigInt(row.last_commit), sequence: BigInt(row.last_sequence) },
      };
    } catch (error) {
      const failure = storeErrorOf(error, streamId, expected);
      // A retry of an append that already succeeded meets its own events: answer as the first time did.
      const conflict = isUniqueViolation(error) || failure instanceof WrongExpectedRevisionError;
      const earlier = conflict ? await earlierAppendOf(this.pool, streamId, events) : null;
      if (earlier) return earlier;
      throw isUniqueViolation(error) ? await wrongRevision(this.pool, streamId, expected) : failure;
    }
  }

  /**
   * Wakes other processes' subscriptions with one NOTIFY for all the appends committed meanwhile, sent
   * after their commits: a NOTIFY inside each append took PostgreSQL's global notify lock until the
   * commit's flush, so concurrent appends committed one at a time (half the throughput of four writers).
   * A wake-up lost with a crash costs a subscriber one poll interval, never an event.
   */
  private wakeOtherProcesses(): void {
    if (this.notifying) {
      this.notifyAgain = true;
      return;
    }
    this.notifying = true;
    void this.pool
      .query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, ''])
      .catch(() => undefined)
      .finally(() => {
        this.notifying = false;
        if (this.notifyAgain) {
          this.notifyAgain = false;
          this.wakeOtherProcesses();
        }
      });
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
    const { text, values } = readAllQuery(from, options);
    const result = await this.pool.query<EventRow>(text, values);
    return result.rows.map((row) => this.toRecorded(row));
  }

  /** How many committed events after `from` pass the filter, counted up to `limit` (a relay's outbox depth). */
  async countAfter(from: GlobalPosition, filter: EventFilter | undefined, limit: number): Promise<number> {
    const params: unknown[] = [String(from.commit), String(from.sequence), limit];
    const clause = filterClause(filter, params);
    const { rows } = await this.pool.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM (
         SELECT 1 FROM eventstore.events
          WHERE (commit_id, sequence) > ($1::text::xid8, $2::bigint)
            AND commit_id < pg_snapshot_xmin(pg_current_snapshot())
            ${clause}
          LIMIT $3) pending`,
      params,
    );
    return rows[0]?.count ?? 0;
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
    if (this.options.listen !== false) this.listener.start();
    return new PollingSubscription(
      (position, maxCount) => this.readAll(position, { maxCount, filter: options.filter }),
      from,
      options,
      this.appended,
      this.options.pollIntervalMs ?? 250,
    );
  }

  close(): Promise<void> {
    return this.listener.close();
  }

  /** Decodes the Avro body on first use only: a reader that needs just positions or bytes never pays for it. */
  private toRecorded(row: EventRow): RecordedEvent {
    const codec = this.codec;
    let event: EvalVaultEvent | undefined;
    return {
      get event(): EvalVaultEvent {
        return (event ??= codec.decode(row.data));
      },
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

/** The function's own SQLSTATEs (EV001: another tenant's stream, EV002: wrong revision) as the port's errors. */
function storeErrorOf(error: unknown, streamId: string, expected: ExpectedRevision): unknown {
  const { code, message, detail } = error as { code?: string; message?: string; detail?: string };
  if (code === STREAM_OF_ANOTHER_TENANT) return new EventStoreError(EventStoreErrorCode.InvalidAppend, message ?? '');
  if (code !== WRONG_REVISION) return error;
  const actual = BigInt(detail ?? '-1');
  return new WrongExpectedRevisionError(streamId, expected, actual < 0n ? null : actual);
}

/** A retried append of events already stored answers as the first one did (idempotent writes). */
async function earlierAppendOf(
  client: Pool,
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

async function wrongRevision(client: Pool, streamId: string, expected: ExpectedRevision): Promise<Error> {
  const actual = await client.query<{ revision: string }>(
    'SELECT revision::text FROM eventstore.streams WHERE stream_id = $1',
    [streamId],
  );
  return new WrongExpectedRevisionError(streamId, expected, actual.rows[0] ? BigInt(actual.rows[0].revision) : null);
}
