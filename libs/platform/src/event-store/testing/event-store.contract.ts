import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { runStarted } from '@evalvault/contracts/testing';
import type { EvalVaultEvent } from '@evalvault/contracts';
import { EventStoreError, EventStoreErrorCode, WrongExpectedRevisionError } from '../event-store.errors.js';
import { comparePositions, START, type EventStore, type RecordedEvent } from '../event-store.port.js';
import { appendMetrics, type AppendMetrics } from '../append-metrics.js';
import { registryValue } from '../../testing/metric-samples.js';

/**
 * The behaviour every EventStore adapter must have. Each adapter's integration test
 * calls this with a factory for a connected store; every test uses fresh stream ids.
 */
export function eventStoreContract(
  adapter: string,
  /** Connects a store that measures its appends into `metrics`. */
  connect: (metrics: AppendMetrics) => Promise<EventStore>,
  disconnect: (store: EventStore) => Promise<void>,
): void {
  describe(`${adapter} event store contract`, () => {
    let store: EventStore;
    const registry = new Registry();
    const tenant = `tenant-${randomUUID()}`;
    const newStream = (kind = 'run'): string => `${kind}-${randomUUID()}`;
    const events = (streamId: string, count: number): EvalVaultEvent[] =>
      Array.from({ length: count }, (_, index) => runStarted(streamId, tenant, index));

    beforeAll(async () => {
      store = await connect(appendMetrics(registry));
    });
    afterAll(async () => {
      await disconnect(store);
    });

    async function readUntil(count: number, read: () => Promise<RecordedEvent[]>): Promise<RecordedEvent[]> {
      for (let attempt = 0; ; attempt++) {
        const events = await read();
        if (events.length >= count || attempt === 50) return events;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }

    async function expectWrongRevision(promise: Promise<unknown>, actual: bigint | null): Promise<void> {
      const error = await promise.then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(WrongExpectedRevisionError);
      expect((error as WrongExpectedRevisionError).actual).toBe(actual);
    }

    it('appends to a new stream and reads it back in order', async () => {
      const streamId = newStream();
      const written = events(streamId, 3);
      const result = await store.append(streamId, written, 'no_stream');
      expect(result.nextExpectedRevision).toBe(2n);
      const read = await store.readStream(streamId);
      expect(read.map((r) => r.revision)).toEqual([0n, 1n, 2n]);
      expect(read.map((r) => r.event)).toEqual(written);
      expect(read.at(-1)!.position).toEqual(result.position);
    });

    it('counts appended events and times each append by outcome', async () => {
      const timed = async (outcome: string): Promise<number> =>
        (await registryValue(registry, 'eventstore_append_duration_seconds_count', { outcome })) ?? 0;
      const appended = async (): Promise<number> =>
        (await registryValue(registry, 'eventstore_events_appended_total')) ?? 0;
      const [okBefore, conflictsBefore, eventsBefore] = [await timed('ok'), await timed('conflict'), await appended()];
      const streamId = newStream();
      await store.append(streamId, events(streamId, 3), 'no_stream');
      await expectWrongRevision(store.append(streamId, events(streamId, 1), 'no_stream'), 2n);
      expect(await timed('ok')).toBe(okBefore + 1);
      expect(await timed('conflict')).toBe(conflictsBefore + 1);
      expect(await appended()).toBe(eventsBefore + 3);
    });

    it('orders by number, not text, beyond ten events in a stream and in one commit', async () => {
      const streamId = newStream();
      const written = events(streamId, 25);
      await store.append(streamId, written, 'no_stream');
      const read = await store.readStream(streamId);
      expect(read.map((r) => Number(r.revision))).toEqual(Array.from({ length: 25 }, (_, index) => index));
      const paged: RecordedEvent[] = [];
      let page = await store.readAll(START, { maxCount: 4, filter: { streamPrefixes: [streamId] } });
      while (page.length > 0) {
        paged.push(...page);
        page = await store.readAll(page.at(-1)!.position, { maxCount: 4, filter: { streamPrefixes: [streamId] } });
      }
      expect(paged.map((r) => r.event.eventId)).toEqual(written.map((e) => e.eventId));
      expectIncreasing(paged);
    });

    it('appends with the exact expected revision, and refuses a stale one with the actual revision', async () => {
      const streamId = newStream();
      const first = await store.append(streamId, events(streamId, 2), 'no_stream');
      const second = await store.append(streamId, events(streamId, 1), first.nextExpectedRevision);
      expect(second.nextExpectedRevision).toBe(2n);
      await expectWrongRevision(store.append(streamId, events(streamId, 1), first.nextExpectedRevision), 2n);
      expect(await store.readStream(streamId)).toHaveLength(3);
    });

    it('checks no_stream, stream_exists and any', async () => {
      const streamId = newStream();
      await expectWrongRevision(store.append(streamId, events(streamId, 1), 'stream_exists'), null);
      await expectWrongRevision(store.append(streamId, events(streamId, 1), 0n), null);
      await store.append(streamId, events(streamId, 1), 'any');
      await expectWrongRevision(store.append(streamId, events(streamId, 1), 'no_stream'), 0n);
      expect((await store.append(streamId, events(streamId, 1), 'stream_exists')).nextExpectedRevision).toBe(1n);
      expect((await store.append(streamId, events(streamId, 1), 'any')).nextExpectedRevision).toBe(2n);
    });

    it('lets exactly one of two racing no_stream appends win', async () => {
      const streamId = newStream();
      const results = await Promise.allSettled([
        store.append(streamId, events(streamId, 1), 'no_stream'),
        store.append(streamId, events(streamId, 1), 'no_stream'),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(rejected.reason).toBeInstanceOf(WrongExpectedRevisionError);
      expect(await store.readStream(streamId)).toHaveLength(1);
    });

    it('answers a retried append of the same events as the first time, storing them once', async () => {
      const streamId = newStream();
      const written = events(streamId, 2);
      const first = await store.append(streamId, written, 'no_stream');
      const retry = await store.append(streamId, written, 'no_stream');
      expect(retry).toEqual(first);
      expect(await store.readStream(streamId)).toHaveLength(2);
    });

    it('refuses an event of another stream and an empty append', async () => {
      const streamId = newStream();
      const error = await store.append(streamId, events(newStream(), 1), 'any').catch((caught: unknown) => caught);
      expect((error as EventStoreError).code).toBe(EventStoreErrorCode.InvalidAppend);
      const empty = await store.append(streamId, [], 'any').catch((caught: unknown) => caught);
      expect((empty as EventStoreError).code).toBe(EventStoreErrorCode.InvalidAppend);
      expect(await store.readStream(streamId)).toEqual([]);
    });

    it('reads the global log after a position, filtered by stream prefix and event type', async () => {
      const prefix = `probe${randomUUID().slice(0, 8)}-`;
      const a = `${prefix}${randomUUID()}`;
      const b = `${prefix}${randomUUID()}`;
      const first = await store.append(a, events(a, 2), 'no_stream');
      await store.append(b, events(b, 2), 'no_stream');
      await store.append(a, events(a, 1), first.nextExpectedRevision);

      const all = await store.readAll(START, { filter: { streamPrefixes: [prefix] } });
      expect(all.map((r) => `${r.streamId === a ? 'a' : 'b'}${r.revision}`)).toEqual(['a0', 'a1', 'b0', 'b1', 'a2']);
      expectIncreasing(all);
      const afterFirst = await store.readAll(all[1]!.position, { filter: { streamPrefixes: [prefix] } });
      expect(afterFirst).toEqual(all.slice(2));
      const limited = await store.readAll(START, { maxCount: 2, filter: { streamPrefixes: [prefix] } });
      expect(limited).toEqual(all.slice(0, 2));
      expect(
        await store.readAll(START, { filter: { streamPrefixes: [prefix], eventTypes: ['RunCompleted'] } }),
      ).toEqual([]);
      expect(await store.readAll(START, { filter: { streamPrefixes: [`${prefix}%`] } })).toEqual([]);
    });

    it("reads one tenant's part of the global log, in order, without the other tenants' events", async () => {
      const other = `tenant-${randomUUID()}`;
      const prefix = `tenantprobe${randomUUID().slice(0, 8)}-`;
      const [mine, theirs] = [`${prefix}${randomUUID()}`, `${prefix}${randomUUID()}`];
      await store.append(mine, events(mine, 2), 'no_stream');
      await store.append(
        theirs,
        [0, 1, 2].map((index) => runStarted(theirs, other, index)),
        'no_stream',
      );
      await store.append(mine, events(mine, 1), 1n);

      // Readers stop below the oldest running transaction: on a database other suites write to, the last
      // append may show a moment later.
      const own = await readUntil(3, () =>
        store.readAll(START, { filter: { tenantId: tenant, streamPrefixes: [prefix] } }),
      );
      expect(own.map((r) => `${r.streamId === mine ? 'm' : 't'}${r.revision}`)).toEqual(['m0', 'm1', 'm2']);
      const page = await store.readAll(own[0]!.position, { maxCount: 1, filter: { tenantId: tenant } });
      expect(page.map((r) => r.event.eventId)).toEqual([own[1]!.event.eventId]);
      expect(await store.readAll(START, { filter: { tenantId: other, streamPrefixes: [prefix] } })).toHaveLength(3);
    });

    it('subscribes to the log: past events first, then new ones as they are appended', async () => {
      const prefix = `sub${randomUUID().slice(0, 8)}-`;
      const stream = `${prefix}${randomUUID()}`;
      await store.append(stream, events(stream, 2), 'no_stream');
      const seen: RecordedEvent[] = [];
      const subscription = store.subscribeAll(START, {
        filter: { streamPrefixes: [prefix] },
        handler: async (r) => {
          seen.push(r);
        },
      });
      await subscription.caughtUp();
      expect(seen).toHaveLength(2);
      await store.append(stream, events(stream, 3), 1n);
      await subscription.caughtUp();
      await subscription.stop();
      expect(seen.map((r) => r.revision)).toEqual([0n, 1n, 2n, 3n, 4n]);
      expectIncreasing(seen);
    });
  });
}

export function expectIncreasing(recorded: readonly RecordedEvent[]): void {
  for (let index = 1; index < recorded.length; index++) {
    expect(comparePositions(recorded[index - 1]!.position, recorded[index]!.position)).toBe(-1);
  }
}
