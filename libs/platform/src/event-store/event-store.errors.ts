import type { ExpectedRevision } from './event-store.port.js';

export enum EventStoreErrorCode {
  WrongExpectedRevision = 'WRONG_EXPECTED_REVISION',
  InvalidAppend = 'INVALID_APPEND',
  Unavailable = 'EVENT_STORE_UNAVAILABLE',
}

export class EventStoreError extends Error {
  constructor(readonly code: EventStoreErrorCode, message: string) {
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
      `stream ${streamId}: expected revision ${String(expected)}, actual ${actual === null ? 'no stream' : String(actual)}`,
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
