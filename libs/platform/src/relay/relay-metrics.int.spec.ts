import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { EventCodec } from '@evalvault/contracts';
import { runStarted } from '@evalvault/contracts/testing';
import { waitFor } from '../bus/testing/bus.contract.js';
import { migrateEventStore } from '../event-store/postgres/migrate.js';
import { PostgresEventStore } from '../event-store/postgres/postgres-event-store.js';
import { registryValue } from '../testing/metric-samples.js';
import { testDatabaseUrl } from '../testing/index.js';
import { PostgresCheckpointStore } from './checkpoint-store.js';
import { EventRelay, type EventPublisher } from './event-relay.js';

/** The relay's outbox depth, published count and lag, read from its registry while it works on the real store. */
describe('relay metrics', () => {
  const logger = pino({ level: 'silent' });
  let pool: pg.Pool;
  let store: PostgresEventStore;

  beforeAll(async () => {
    await migrateEventStore(testDatabaseUrl());
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 4 });
    store = new PostgresEventStore(pool, new EventCodec(), { pollIntervalMs: 50 });
  });
  afterAll(async () => {
    await store.close();
    await pool.end();
  });

  /** A bus that takes batches only once opened, so the outbox stays full meanwhile. */
  function heldPublisher(): EventPublisher & { open(): void; batches: number } {
    let open: () => void = () => undefined;
    const opened = new Promise<void>((resolve) => (open = resolve));
    return {
      batches: 0,
      open,
      async publishBatch() {
        this.batches += 1;
        await opened;
      },
    };
  }

  it('reports the events waiting in the outbox until published, then none, with the count and lag', async () => {
    const registry = new Registry();
    const prefix = `run-${randomUUID()}-`;
    const tenant = `tenant-${randomUUID()}`;
    for (let n = 0; n < 5; n++)
      await store.append(`${prefix}${n}`, [runStarted(`${prefix}${n}`, tenant, 0)], 'no_stream');
    const publisher = heldPublisher();
    const name = `metrics-${randomUUID()}`;
    const relay = new EventRelay(store, publisher, new PostgresCheckpointStore(pool), {
      name,
      filter: { streamPrefixes: [prefix] },
      batchSize: 2,
      logger,
      registry,
      countPending: (from, filter, limit) => store.countAfter(from, filter, limit),
    });
    const value = (metric: string) => registryValue(registry, metric, { relay: name });
    expect(await value('relay_outbox_events')).toBeUndefined(); // not started: no position, no depth
    await relay.start();
    try {
      await waitFor(() => publisher.batches > 0, 'the first batch offered to the bus');
      expect(await value('relay_outbox_events')).toBe(5);
      publisher.open();
      await relay.caughtUp();
      await waitFor(async () => (await value('relay_events_published_total')) === 5, '5 events published');
      expect(await value('relay_outbox_events')).toBe(0);
      expect(await value('relay_lag_seconds')).toBeGreaterThanOrEqual(0);
    } finally {
      await relay.stop();
    }
    expect(await value('relay_outbox_events')).toBeUndefined(); // a stopped relay is no longer reported
  });
});
