import type { EvalVaultEvent } from '@evalvault/contracts';
import type { ExpectedRevision } from './event-store.port.js';

export enum EventStoreErrorCode {
  WrongExpectedRevision = 'WRONG_EXPECTED_REVISION',
  InvalidAppend = 'INVALID_APPEND',
  Unavailable = 'EVENT_STORE_UNAVAILABLE',
}

export class EventStoreError extends Error {
  constructor(
    readonly code: EventStoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EventStoreError';
  }
}

/** The stream is not where the writer expected: carries the actual revision (null: no stream). */
export class WrongExpectedRevisionError extends EventStoreError {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: bigint | null,
  ) {
    super(
      EventStoreErrorCode.WrongExpectedRevision,
      `stream ${streamId}: expected revision ${String(expected)}, ` +
        `actual ${actual === null ? 'no stream' : String(actual)}`,
    );
    this.name = 'WrongExpectedRevisionError';
  }
}

/** Checks an expectation against the stream's current revision (null when it does not exist). */
export function assertExpectedRevision(streamId: string, expected: ExpectedRevision, actual: bigint | null): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && actual === null) ||
    (expected === 'stream_exists' && actual !== null) ||
    (typeof expected === 'bigint' && actual === expected);
  if (!ok) throw new WrongExpectedRevisionError(streamId, expected, actual);
}

/** Every adapter: one stream, one tenant and project per append, never empty. */
export function validateAppend(streamId: string, events: readonly EvalVaultEvent[]): EvalVaultEvent {
  const first = events[0];
  if (!first) throw new EventStoreError(EventStoreErrorCode.InvalidAppend, `append to ${streamId} has no events`);
  for (const event of events) {
    if (event.streamId !== streamId || event.tenantId !== first.tenantId || event.projectId !== first.projectId) {
      throw new EventStoreError(
        EventStoreErrorCode.InvalidAppend,
        `event ${event.eventId} (${event.type}) belongs to stream ${event.streamId} ` +
          `of ${event.tenantId}/${event.projectId}, not ${streamId} of ${first.tenantId}/${first.projectId}`,
      );
    }
  }
  return first;
}
