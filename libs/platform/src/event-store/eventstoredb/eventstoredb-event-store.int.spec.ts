import { Console } from 'node:console';
import { EventStoreDBClient } from '@eventstore/db-client';
import { eventStoreContract } from '../testing/event-store.contract.js';
import { EventStoreDbEventStore } from './eventstoredb-event-store.js';

// e.g. esdb://127.0.0.1:2113?tls=false
const url = process.env.EVENTSTORE_URL;
const SKIP_REASON =
  'EventStoreDB contract suite skipped: EVENTSTORE_URL is not set (no EventStoreDB server on this machine)';
const clients = new Map<EventStoreDbEventStore, EventStoreDBClient>();

if (url) {
  eventStoreContract(
    'EventStoreDB',
    async () => {
      const client = EventStoreDBClient.connectionString(url);
      const store = new EventStoreDbEventStore(client);
      clients.set(store, client);
      return store;
    },
    async (store) => {
      await store.close();
      await clients.get(store as EventStoreDbEventStore)?.dispose();
    },
  );
} else {
  // Jest drops the buffered console output of a file whose tests are all skipped, so the
  // reason goes through a console on the real stderr to be seen in every run.
  new Console({ stdout: process.stdout, stderr: process.stderr }).warn(SKIP_REASON);
  // Skipped rather than failed: the integration servers here are PostgreSQL and Kafka only.
  // Set EVENTSTORE_URL to a running EventStoreDB (22.6 or later) to run the shared contract.
  describe.skip(`EventStoreDB event store contract (${SKIP_REASON})`, () => {
    it('runs the shared event store contract against EventStoreDB', () => undefined);
  });
}
