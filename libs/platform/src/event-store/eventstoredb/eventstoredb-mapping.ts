import {
  ANY,
  binaryEvent,
  NO_STREAM,
  START as CLIENT_START,
  STREAM_EXISTS,
  type AppendExpectedRevision,
  type CurrentRevision,
  type EventData,
  type Position,
  type ReadPosition,
} from '@eventstore/db-client';
import type { EvalVaultEvent } from '@evalvault/contracts';
import { EventStoreError, EventStoreErrorCode } from '../event-store.errors.js';
import type { EventFilter, ExpectedRevision, GlobalPosition } from '../event-store.port.js';

/** What EventStoreDB puts in a position field it does not know (stream reads before server 22.6). */
const UNKNOWN_POSITION = 2n ** 64n - 1n;

/** Same string values today, but mapped explicitly so a client rename cannot change our semantics. */
export function toClientRevision(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'any') return ANY;
  if (expected === 'no_stream') return NO_STREAM;
  if (expected === 'stream_exists') return STREAM_EXISTS;
  return expected;
}

export function fromCurrentRevision(current: CurrentRevision): bigint | null {
  return current === NO_STREAM ? null : current;
}

/** Our START is "before the first event"; EventStoreDB has a constant for that. */
export function toReadPosition(position: GlobalPosition): ReadPosition {
  if (position.commit === 0n && position.sequence === 0n) return CLIENT_START;
  return { commit: position.commit, prepare: position.sequence };
}

/**
 * EventStoreDB orders $all by (commit, prepare): the events of one append share a commit
 * position and differ by prepare position, which is exactly our (commit, sequence).
 */
export function fromClientPosition(position: Position | undefined, what: string): GlobalPosition {
  // An unset protobuf field reads as 0 and old servers send 2^64-1: neither is a real event position.
  if (!position || position.commit === UNKNOWN_POSITION || (position.commit === 0n && position.prepare === 0n)) {
    throw new EventStoreError(
      EventStoreErrorCode.Unavailable,
      `EventStoreDB did not report the $all position of ${what}; stream reads carry it from server version 22.6 on`,
    );
  }
  return { commit: position.commit, sequence: position.prepare };
}

/** Server-internal events ($metadata, $> links, $statsCollected…) are not EvalVault events. */
export function isSystemEvent(type: string): boolean {
  return type.startsWith('$');
}

/** The client's readAll has no server-side filter (v6), so the port's filter is applied here. */
export function matchesFilter(filter: EventFilter | undefined, streamId: string, type: string): boolean {
  const types = filter?.eventTypes ?? [];
  const prefixes = filter?.streamPrefixes ?? [];
  if (types.length > 0 && !types.some((wanted) => wanted === type)) return false;
  return prefixes.length === 0 || prefixes.some((prefix) => streamId.startsWith(prefix));
}

/**
 * The revision at which an identical earlier append with the same expectation would have
 * put its first event; null when the expectation does not pin one down.
 */
export function retryWindowStart(expected: ExpectedRevision): bigint | null {
  if (expected === 'no_stream') return 0n;
  return typeof expected === 'bigint' ? expected + 1n : null;
}

/** Event id = our eventId, so the server's own idempotency check recognises a retried append. */
export function toEventData(event: EvalVaultEvent, encoded: Uint8Array): EventData {
  return binaryEvent({
    id: event.eventId,
    type: event.type,
    data: encoded,
    // Lets tools and server-side projections route by tenant without decoding Avro.
    metadata: { tenantId: event.tenantId, projectId: event.projectId },
  });
}
