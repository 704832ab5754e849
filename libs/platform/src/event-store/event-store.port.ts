import type { EvalVaultEvent, EventType } from '@evalvault/contracts';

/**
 * The event store: the only source of truth. Streams are appended with optimistic
 * concurrency; the global log is read and subscribed in one total order.
 */

/** Position in the global log. Ordered by (commit, sequence); see postgres-event-store.ts for why two parts. */
export interface GlobalPosition {
  readonly commit: bigint;
  readonly sequence: bigint;
}

/** Before the first event: real transaction ids start at 3 and sequences at 1. */
export const START: GlobalPosition = Object.freeze({ commit: 0n, sequence: 0n });

export function comparePositions(a: GlobalPosition, b: GlobalPosition): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.sequence !== b.sequence) return a.sequence < b.sequence ? -1 : 1;
  return 0;
}

export function formatPosition(position: GlobalPosition): string {
  return `${position.commit}/${position.sequence}`;
}

/** `no_stream`: must not exist; `stream_exists`: must exist; `any`: no check; a bigint: the stream's last revision. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

export interface RecordedEvent<E extends EvalVaultEvent = EvalVaultEvent> {
  event: E;
  streamId: string;
  /** 0-based position of the event in its stream. */
  revision: bigint;
  position: GlobalPosition;
  /** The event as stored (single-object Avro), where the store keeps those bytes: publish them as they are. */
  data?: Buffer;
}

export interface AppendResult {
  /** The stream's revision after the append: pass it as expectedRevision to append again. */
  nextExpectedRevision: bigint;
  position: GlobalPosition;
}

export interface EventFilter {
  streamPrefixes?: readonly string[];
  eventTypes?: readonly EventType[];
  /** Only this tenant's events (an audit replay): an indexed read, so other tenants' history costs nothing. */
  tenantId?: string;
}

export interface ReadAllOptions {
  maxCount?: number;
  filter?: EventFilter;
}

interface SubscribeCommon {
  filter?: EventFilter;
  /** Most events read (and handed to a batchHandler) at once; default 500. */
  batchSize?: number;
  /** Called once if the subscription stops on an error (a handler error included). */
  onError?: (error: Error) => void;
  /**
   * Decode every event as soon as its batch is read, for a handler that reads them all (the relay): a
   * batch read ahead is then decoded while the one before it is still being handled. Default: on first use.
   */
  decodeAhead?: boolean;
}

/** Either one event at a time, or whole batches (the relay publishes batches); each awaited before the next. */
export type SubscribeOptions = SubscribeCommon &
  (
    | { handler: (recorded: RecordedEvent) => Promise<void> }
    | { batchHandler: (batch: RecordedEvent[]) => Promise<void> }
  );

export interface Subscription {
  /** Resolves once the subscription has stopped and no handler is running. */
  stop(): Promise<void>;
  /** Resolves when every event committed before the call has been handled. */
  caughtUp(): Promise<void>;
}

export interface EventStore {
  append(
    streamId: string,
    events: readonly EvalVaultEvent[],
    expectedRevision: ExpectedRevision,
  ): Promise<AppendResult>;
  readStream(streamId: string, options?: { fromRevision?: bigint; maxCount?: number }): Promise<RecordedEvent[]>;
  /** Events strictly after `from`, in global order. */
  readAll(from: GlobalPosition, options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** Handles every event after `from`, then keeps following the log until stopped. */
  subscribeAll(from: GlobalPosition, options: SubscribeOptions): Subscription;
  close(): Promise<void>;
}
