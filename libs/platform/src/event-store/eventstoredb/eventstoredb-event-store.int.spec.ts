import { Console } from 'node:console';
import pg from 'pg';
import { loadEventStoreSettings } from '../event-store-config.js';
import { openEventStore } from '../open-event-store.js';
import { eventStoreContract } from '../testing/event-store.contract.js';

// The store a service opens with EVENT_STORE=eventstoredb, e.g. EVENTSTOREDB_URL=esdb://127.0.0.1:2113?tls=false.
const url = process.env.EVENTSTOREDB_URL;
const SKIP_REASON =
  'EventStoreDB contract suite skipped: EVENTSTOREDB_URL is not set (CI here has no EventStoreDB server)';

if (url) {
  const settings = loadEventStoreSettings({ EVENT_STORE: 'eventstoredb', EVENTSTOREDB_URL: url });
  // The EventStoreDB store keeps nothing in PostgreSQL: an unconnected pool is never used.
  const pool = new pg.Pool();
  afterAll(() => pool.end());
  eventStoreContract(
    'EventStoreDB',
    async (metrics) => openEventStore(settings, { pool, metrics }),
    (store) => store.close(),
  );
} else {
  // Jest drops the buffered console output of a file whose tests are all skipped, so the
  // reason goes through a console on the real stderr to be seen in every run.
  new Console({ stdout: process.stdout, stderr: process.stderr }).warn(SKIP_REASON);
  // Skipped rather than failed: the integration servers here are PostgreSQL and Kafka only.
  // Set EVENTSTOREDB_URL to a running EventStoreDB (22.6 or later) to run the shared contract.
  describe.skip(`EventStoreDB event store contract (${SKIP_REASON})`, () => {
    it('runs the shared event store contract against EventStoreDB', () => undefined);
  });
}
