import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { RunStartedPayload } from '@evalvault/contracts';
import { testDatabaseUrl } from '../testing/index.js';
import { migrateEventStore } from '../event-store/postgres/migrate.js';
import { PostgresEventStore } from '../event-store/postgres/postgres-event-store.js';
import { EventSourcedRepository, ForeignStreamError, type EventSourcedDecider } from './event-sourced-repository.js';
import type { CommandContext } from './envelope.js';

/** A toy aggregate: a set of numbers, each added once (RunStarted.totalCases carries the number). */
type Added = { type: 'RunStarted'; payload: RunStartedPayload };
const numbers: EventSourcedDecider<number, Added, ReadonlySet<number>> = {
  initialState: new Set(),
  decide: (n, state) => (state.has(n) ? [] : [{ type: 'RunStarted', payload: { runId: 'x', totalCases: n } }]),
  evolveWith: (state, events) => new Set([...state, ...events.map((e) => e.payload.totalCases!)]),
};

describe('event-sourced repository on PostgreSQL', () => {
  let pool: pg.Pool;
  const context: CommandContext = {
    tenantId: 'tenant-r',
    projectId: 'default',
    actor: { subject: 'system:test', authMethod: 'system', apiKeyId: null },
    correlationId: randomUUID(),
    causationId: null,
  };

  beforeAll(async () => {
    await migrateEventStore(testDatabaseUrl());
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 10 });
  });
  afterAll(async () => {
    await pool.end();
  });

  it('decides again after a concurrent write, so racing writers each land once', async () => {
    const store = new PostgresEventStore(pool);
    const sources = { now: () => Date.UTC(2026, 10, 26), newId: randomUUID };
    // Separate repositories stand for separate worker processes with their own caches.
    const workers = Array.from({ length: 5 }, () => new EventSourcedRepository(store, numbers, sources));
    const streamId = `test-${randomUUID()}`;
    await Promise.all(Array.from({ length: 20 }, (_, n) => workers[n % 5]!.handle(streamId, n % 15, context)));
    const stored = await store.readStream(streamId);
    const values = stored.map((r) => (r.event.type === 'RunStarted' ? r.event.payload.totalCases : -1));
    expect([...values].sort((a, b) => a! - b!)).toEqual(Array.from({ length: 15 }, (_, n) => n));
    expect((await workers[0]!.load(streamId)).state.size).toBe(15);
    expect(stored[0]!.event).toMatchObject({
      tenantId: 'tenant-r',
      actor: context.actor,
      correlationId: context.correlationId,
    });
  });

  it('catches up with a long stream a page at a time, folding every event once', async () => {
    const pages: (number | undefined)[] = [];
    const inner = new PostgresEventStore(pool);
    // The store as the repository sees it, noting how many events each read asks for.
    const store = new Proxy(inner, {
      get: (target, key, receiver) =>
        key === 'readStream'
          ? (streamId: string, options?: { fromRevision?: bigint; maxCount?: number }) => {
              pages.push(options?.maxCount);
              return target.readStream(streamId, options);
            }
          : Reflect.get(target, key, receiver),
    });
    const sources = { now: () => Date.UTC(2026, 10, 26), newId: randomUUID };
    const streamId = `test-${randomUUID()}`;
    const writer = new EventSourcedRepository(inner, numbers, sources);
    for (let n = 0; n < 7; n++) await writer.handle(streamId, n, context);
    const fresh = new EventSourcedRepository(store, numbers, sources, { catchUpPageSize: 3 });
    const { state, revision } = await fresh.load(streamId);
    expect({ state: [...state].sort(), revision }).toEqual({ state: [0, 1, 2, 3, 4, 5, 6], revision: 6n });
    expect(pages).toEqual([3, 3, 3]); // 3 + 3 + 1 events
  });

  it('refuses commands and scoped loads on a stream of another tenant or project, and writes nothing', async () => {
    const store = new PostgresEventStore(pool);
    const sources = { now: () => Date.UTC(2026, 10, 26), newId: randomUUID };
    const owner = new EventSourcedRepository(store, numbers, sources);
    const streamId = `test-${randomUUID()}`;
    await owner.handle(streamId, 1, context);
    // A fresh repository (another process, empty cache) and the owner's own (cached) both refuse.
    for (const repository of [new EventSourcedRepository(store, numbers, sources), owner]) {
      await expect(repository.handle(streamId, 2, { ...context, tenantId: 'tenant-other' })).rejects.toBeInstanceOf(
        ForeignStreamError,
      );
      await expect(repository.handle(streamId, 2, { ...context, projectId: 'other-project' })).rejects.toBeInstanceOf(
        ForeignStreamError,
      );
      await expect(
        repository.load(streamId, { tenantId: 'tenant-other', projectId: 'default' }),
      ).rejects.toBeInstanceOf(ForeignStreamError);
    }
    expect(await store.readStream(streamId)).toHaveLength(1);
    expect((await owner.load(streamId, { tenantId: 'tenant-r', projectId: 'default' })).state).toEqual(new Set([1]));
  });
});
