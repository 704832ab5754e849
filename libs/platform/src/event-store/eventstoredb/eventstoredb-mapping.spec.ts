import { ANY, NO_STREAM, START as CLIENT_START, STREAM_EXISTS } from '@eventstore/db-client';
import { runStarted } from '@evalvault/contracts/testing';
import { EventStoreError, EventStoreErrorCode, validateAppend } from '../event-store.errors.js';
import { START } from '../event-store.port.js';
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

describe('EventStoreDB mapping', () => {
  it('maps expected revisions to the client constants and bigints through', () => {
    expect(toClientRevision('any')).toBe(ANY);
    expect(toClientRevision('no_stream')).toBe(NO_STREAM);
    expect(toClientRevision('stream_exists')).toBe(STREAM_EXISTS);
    expect(toClientRevision(7n)).toBe(7n);
  });

  it("maps the server's current revision to ours: no stream is null", () => {
    expect(fromCurrentRevision(NO_STREAM)).toBeNull();
    expect(fromCurrentRevision(0n)).toBe(0n);
    expect(fromCurrentRevision(41n)).toBe(41n);
  });

  it('maps positions: commit to commit, sequence to prepare, START to the client START', () => {
    expect(toReadPosition(START)).toBe(CLIENT_START);
    expect(toReadPosition({ commit: 1200n, sequence: 1337n })).toEqual({ commit: 1200n, prepare: 1337n });
    expect(fromClientPosition({ commit: 1200n, prepare: 1337n }, 'e')).toEqual({ commit: 1200n, sequence: 1337n });
  });

  it('refuses positions the server did not really report', () => {
    for (const unknown of [
      undefined,
      { commit: 0n, prepare: 0n },
      { commit: 2n ** 64n - 1n, prepare: 2n ** 64n - 1n },
    ]) {
      let caught: unknown;
      try {
        fromClientPosition(unknown, 'event e');
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(EventStoreError);
      expect((caught as EventStoreError).code).toBe(EventStoreErrorCode.Unavailable);
    }
  });

  it('recognises system events by their $ type', () => {
    expect(isSystemEvent('$metadata')).toBe(true);
    expect(isSystemEvent('$>')).toBe(true);
    expect(isSystemEvent('RunStarted')).toBe(false);
  });

  it('filters by stream prefix and event type, literally and together', () => {
    expect(matchesFilter(undefined, 'run-1', 'RunStarted')).toBe(true);
    expect(matchesFilter({ streamPrefixes: [], eventTypes: [] }, 'run-1', 'RunStarted')).toBe(true);
    expect(matchesFilter({ streamPrefixes: ['run-'] }, 'run-1', 'RunStarted')).toBe(true);
    expect(matchesFilter({ streamPrefixes: ['case-', 'run-'] }, 'run-1', 'RunStarted')).toBe(true);
    expect(matchesFilter({ streamPrefixes: ['case-'] }, 'run-1', 'RunStarted')).toBe(false);
    expect(matchesFilter({ streamPrefixes: ['run.*'] }, 'run-1', 'RunStarted')).toBe(false);
    expect(matchesFilter({ streamPrefixes: ['run-%'] }, 'run-1', 'RunStarted')).toBe(false);
    expect(matchesFilter({ eventTypes: ['RunCompleted'] }, 'run-1', 'RunStarted')).toBe(false);
    expect(matchesFilter({ streamPrefixes: ['run-'], eventTypes: ['RunStarted'] }, 'run-1', 'RunStarted')).toBe(true);
    expect(matchesFilter({ streamPrefixes: ['run-'], eventTypes: ['RunCompleted'] }, 'run-1', 'RunStarted')).toBe(
      false,
    );
  });

  it('knows where a retried append would find its own events', () => {
    expect(retryWindowStart('no_stream')).toBe(0n);
    expect(retryWindowStart(4n)).toBe(5n);
    expect(retryWindowStart('any')).toBeNull();
    expect(retryWindowStart('stream_exists')).toBeNull();
  });

  it('stores an event as binary Avro under its own id and type, tenant and project in metadata', () => {
    const event = runStarted('run-1', 'tenant-a');
    const data = toEventData(event, Buffer.from([0xc3, 0x01, 7]));
    expect(data).toEqual({
      id: event.eventId,
      type: 'RunStarted',
      contentType: 'application/octet-stream',
      data: Uint8Array.from([0xc3, 0x01, 7]),
      metadata: { tenantId: 'tenant-a', projectId: event.projectId },
    });
  });

  it('validates an append: not empty, one stream, one tenant and project', () => {
    const code = (run: () => unknown): unknown => {
      try {
        run();
      } catch (error) {
        return (error as EventStoreError).code;
      }
      return undefined;
    };
    const first = runStarted('run-1', 'tenant-a');
    expect(validateAppend('run-1', [first, runStarted('run-1', 'tenant-a')])).toBe(first);
    expect(code(() => validateAppend('run-1', []))).toBe(EventStoreErrorCode.InvalidAppend);
    expect(code(() => validateAppend('run-1', [runStarted('run-2', 'tenant-a')]))).toBe(
      EventStoreErrorCode.InvalidAppend,
    );
    expect(code(() => validateAppend('run-1', [first, runStarted('run-1', 'tenant-b')]))).toBe(
      EventStoreErrorCode.InvalidAppend,
    );
    expect(
      code(() => validateAppend('run-1', [first, { ...runStarted('run-1', 'tenant-a'), projectId: 'other' }])),
    ).toBe(EventStoreErrorCode.InvalidAppend);
  });
});
