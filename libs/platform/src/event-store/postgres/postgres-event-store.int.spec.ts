import pg from 'pg';
import { testDatabaseUrl } from '../../testing/index.js';
import { eventStoreContract } from '../testing/event-store.contract.js';
import { migrateEventStore } from './migrate.js';
import { PostgresEventStore } from './postgres-event-store.js';

const pools = new Map<PostgresEventStore, pg.Pool>();

eventStoreContract(
  'PostgreSQL',
  async (metrics) => {
    await migrateEventStore(testDatabaseUrl());
    const pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 8 });
    const store = new PostgresEventStore(pool, undefined, { metrics });
    pools.set(store, pool);
    return store;
  },
  async (store) => {
    await store.close();
    await pools.get(store as PostgresEventStore)?.end();
  },
);
