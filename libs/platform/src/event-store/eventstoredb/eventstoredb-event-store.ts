import { EventEmitter } from 'node:events';
import {
  BACKWARDS,
  END,
  START as CLIENT_START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AppendResult as ClientAppendResult,
  type EventStoreDBClient,
  type RecordedEvent as ClientRecordedEvent,
} from '@eventstore/db-client';
import { EventCodec, type EvalVaultEvent } from '@evalvault/contracts';
import {
  EventStoreError,
  EventStoreErrorCode,
  WrongExpectedRevisionError,
  validateAppend,
} from '../event-store.errors.js';
import {
  comparePositions,
  START,
  type AppendResult,
  type EventFilter,
  type EventStore,
  type ExpectedRevision,
  type GlobalPosition,
  type ReadAllOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '../event-store.port.js';
import { measuredAppend, type AppendMetrics } from '../append-metrics.js';
import { PollingSubscription } from '../polling-subscription.js';
import {
  fromClientPosition,
  fromCurrentRevision,
  isSystemEvent,
  matchesFilter,
  retryWindowStart,
  toClientRevision,
  toEventData,
  toReadPosition,
} from './eventstoredb-mapping.js';

/** Raw $all events fetched per request; the port's filter is applied to them client-side. */
const PAGE_SIZE = 500;
const DEFAULT_READ_ALL_COUNT = 1_000;

export interface EventStoreDbEventStoreOptions {
  /** How often a subscription looks for appends made by other processes (ms). */
  pollIntervalMs?: number;
  /** The store was given a client of its own: close() disposes it too. */
  ownsClient?: boolean;
  /** Counts appended events and times appends. */
  metrics?: AppendMetrics;
}

/**
 * The EventStoreDB event store. Events are stored as their Avro single-object bytes with
 * the EvalVault event id as EventStoreDB event id, so the server's own idempotency check
 * applies. Global order is $all's (commit, prepare). The client is the caller's: close()
 * stops this store's subscriptions and leaves the client to be disposed by its owner,
 * unless the store was given it to own (`ownsClient`).
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly appended = new EventEmitter();
  private readonly subscriptions = new Set<Subscription>();

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly codec: EventCodec = new EventCodec(),
    private readonly options: EventStoreDbEventStoreOptions = {},
  ) {
    this.appended.setMaxListeners(0);
  }

  append(streamId: string, events: readonly EvalVaultEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    return measuredAppend(this.options.metrics, 'eventstoredb', events.length, () =>
      this.appendOnce(streamId, events, expected),
    );
  }

  private async appendOnce(
    streamId: string,
    events: readonly EvalVaultEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const first = validateAppend(streamId, events);
    // A no_stream append cannot land in another tenant's stream: the server refuses it if the stream exists.
    if (expected !== 'no_stream') await this.assertTenantOwns(streamId, first);
    const data = events.map((event) => toEventData(event, this.codec.encode(event)));
    let result: ClientAppendResult;
    try {
      result = await this.client.appendToStream(streamId, data, { expectedRevision: toClientRevision(expected) });
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      return this.afterConflict(streamId, events, expected, fromCurrentRevision(error.actualVersion));
    }
    // With throwOnAppendFailure=false the client answers instead of throwing, and its batch
    // append then misreports the current revision (v6.2.1), so it is read back instead.
    if (!result.success) return this.afterConflict(streamId, events, expected, await this.currentRevision(streamId));
    this.appended.emit('appended');
    // The server answers an idempotent retry with the original events' revisions, but the
    // position it reports is not documented to be the last event's $all position (and is
    // absent for an idempotent retry): read that event back so both answers agree with reads.
    const last = await this.readOne(streamId, result.nextExpectedRevision);
    if (!last) {
      throw new EventStoreError(
        EventStoreErrorCode.Unavailable,
        `stream ${streamId}: revision ${result.nextExpectedRevision} unreadable after append`,
      );
    }
    return { nextExpectedRevision: last.revision, position: last.position };
  }

  /** A retry of an append that already succeeded meets its own events: answer as the first time did. */
  private async afterConflict(
    streamId: string,
    events: readonly EvalVaultEvent[],
    expected: ExpectedRevision,
    actual: bigint | null,
  ): Promise<AppendResult> {
    const start = retryWindowStart(expected);
    if (start !== null && actual !== null && actual >= start + BigInt(events.length) - 1n) {
      const stored = await this.readStream(streamId, { fromRevision: start, maxCount: events.length });
      const same =
        stored.length === events.length &&
        stored.every((recorded, index) => recorded.event.eventId === events[index]!.eventId);
      const last = stored.at(-1);
      if (same && last) return { nextExpectedRevision: last.revision, position: last.position };
    }
    throw new WrongExpectedRevisionError(streamId, expected, actual);
  }

  /** Tenants never share a stream (the PostgreSQL adapter enforces the same). */
  private async assertTenantOwns(streamId: string, first: EvalVaultEvent): Promise<void> {
    const [head] = await this.collect(this.client.readStream(streamId, { maxCount: 1 }));
    const owner = head?.event ? this.decode(head.event).tenantId : first.tenantId;
    if (owner !== first.tenantId) {
      throw new EventStoreError(
        EventStoreErrorCode.InvalidAppend,
        `stream ${streamId} cannot be written by tenant ${first.tenantId}`,
      );
    }
  }

  private async currentRevision(streamId: string): Promise<bigint | null> {
    const [last] = await this.collect(
      this.client.readStream(streamId, { direction: BACKWARDS, fromRevision: END, maxCount: 1 }),
    );
    return last?.event?.revision ?? null;
  }

  private async readOne(streamId: string, revision: bigint): Promise<RecordedEvent | undefined> {
    return (await this.readStream(streamId, { fromRevision: revision, maxCount: 1 }))[0];
  }

  async readStream(
    streamId: string,
    options: { fromRevision?: bigint; maxCount?: number } = {},
  ): Promise<RecordedEvent[]> {
    if (options.maxCount === 0) return [];
    const read = this.client.readStream(streamId, {
      fromRevision: options.fromRevision ?? CLIENT_START,
      maxCount: options.maxCount ?? Number.MAX_SAFE_INTEGER,
    });
    return (await this.collect(read)).flatMap((resolved) => (resolved.event ? [this.toRecorded(resolved.event)] : []));
  }

  /** Position of the newest event in $all (START for an empty log): where a relay starts to follow only new events. */
  async headPosition(): Promise<GlobalPosition> {
    const [last] = await this.collect(this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }));
    return last?.event ? fromClientPosition(last.event.position, `event ${last.event.id}`) : START;
  }

  /** How many events after `from` pass the filter, up to `limit`: $all has no count, so they are read. */
  async countAfter(from: GlobalPosition, filter: EventFilter | undefined, limit: number): Promise<number> {
    return (await this.scan(from, limit, filter)).events.length;
  }

  async readAll(from: GlobalPosition, options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return (await this.scan(from, options.maxCount ?? DEFAULT_READ_ALL_COUNT, options.filter)).events;
  }

  /**
   * Pages through $all after `from` until `maxCount` events pass the filter or the log ends.
   * Also answers how far it looked, so a subscription does not re-read what the filter skipped.
   */
  private async scan(
    from: GlobalPosition,
    maxCount: number,
    filter: EventFilter | undefined,
  ): Promise<{ events: RecordedEvent[]; scanned: GlobalPosition }> {
    const events: RecordedEvent[] = [];
    let scanned = from;
    while (events.length < maxCount) {
      const page = await this.collect(
        this.client.readAll({ fromPosition: toReadPosition(scanned), maxCount: PAGE_SIZE }),
      );
      for (const { event } of page) {
        if (!event) continue;
        const position = fromClientPosition(event.position, `event ${event.id}`);
        // A read from a position includes the event at that position: ours must be strictly after.
        if (comparePositions(position, scanned) <= 0) continue;
        scanned = position;
        if (isSystemEvent(event.type) || !matchesFilter(filter, event.streamId, event.type)) continue;
        const recorded = this.toRecorded(event);
        // $all has no tenant index: the tenant is in the event itself.
        if (filter?.tenantId !== undefined && recorded.event.tenantId !== filter.tenantId) continue;
        events.push(recorded);
        if (events.length === maxCount) break;
      }
      if (page.length < PAGE_SIZE) break;
    }
    return { events, scanned };
  }

  /**
   * Polls $all rather than using the client's subscribeToAll: caughtUp() must cover every
   * event committed before the call, which a read to the end of the log proves directly.
   */
  subscribeAll(from: GlobalPosition, options: SubscribeOptions): Subscription {
    let scanned = from;
    const subscription = new PollingSubscription(
      async (after, maxCount) => {
        // Everything up to `scanned` was handled or filtered out; resume past the filtered tail.
        const result = await this.scan(
          comparePositions(scanned, after) > 0 ? scanned : after,
          maxCount,
          options.filter,
        );
        scanned = result.scanned;
        return result.events;
      },
      from,
      options,
      this.appended,
      this.options.pollIntervalMs ?? 250,
    );
    const tracked: Subscription = {
      caughtUp: () => subscription.caughtUp(),
      stop: async () => {
        await subscription.stop();
        this.subscriptions.delete(tracked);
      },
    };
    this.subscriptions.add(tracked);
    return tracked;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
    if (this.options.ownsClient) await this.client.dispose();
  }

  /** Drains a read; a stream that does not exist reads as empty, as in the PostgreSQL adapter. */
  private async collect<E>(read: AsyncIterable<E>): Promise<E[]> {
    const all: E[] = [];
    try {
      for await (const item of read) all.push(item);
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw error;
    }
    return all;
  }

  private decode(recorded: ClientRecordedEvent): EvalVaultEvent {
    if (!(recorded.data instanceof Uint8Array)) {
      throw new TypeError(`event ${recorded.id} of ${recorded.streamId} is JSON, not an EvalVault Avro event`);
    }
    return this.codec.decode(recorded.data);
  }

  private toRecorded(recorded: ClientRecordedEvent): RecordedEvent {
    return {
      event: this.decode(recorded),
      streamId: recorded.streamId,
      revision: recorded.revision,
      position: fromClientPosition(recorded.position, `event ${recorded.id} of ${recorded.streamId}`),
    };
  }
}
