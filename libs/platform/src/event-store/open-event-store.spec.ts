import pg from 'pg';
import { loadEventStoreSettings } from './event-store-config.js';
import { EventStoreDbEventStore } from './eventstoredb/eventstoredb-event-store.js';
import { openEventStore } from './open-event-store.js';
import { PostgresEventStore } from './postgres/postgres-event-store.js';

describe('openEventStore', () => {
  const pool = new pg.Pool(); // never connected: opening a store does no I/O
  afterAll(() => pool.end());

  it('opens the PostgreSQL store by default', async () => {
    const store = openEventStore(loadEventStoreSettings({}), { pool });
    expect(store).toBeInstanceOf(PostgresEventStore);
    await store.close();
  });

  it('opens the EventStoreDB store when the configuration selects it, with a client it disposes', async () => {
    const settings = loadEventStoreSettings({
      EVENT_STORE: 'eventstoredb',
      EVENTSTOREDB_URL: 'esdb://127.0.0.1:2113?tls=false',
    });
    const store = openEventStore(settings, { pool });
    expect(store).toBeInstanceOf(EventStoreDbEventStore);
    await expect(store.close()).resolves.toBeUndefined();
  });
});
