import { EventStoreDBClient } from '@eventstore/db-client';
import type pg from 'pg';
import type { AppendMetrics } from './append-metrics.js';
import type { EventStoreSettings } from './event-store-config.js';
import type { EventFilter, EventStore, GlobalPosition } from './event-store.port.js';
import { EventStoreDbEventStore } from './eventstoredb/eventstoredb-event-store.js';
import type { ListenerLog } from './postgres/notify-listener.js';
import { PostgresEventStore } from './postgres/postgres-event-store.js';

/** An event store a service runs on, with what its relays need beyond the port. */
export interface OpenedEventStore extends EventStore {
  /** Where a relay without a checkpoint starts when told to begin at the end of the log. */
  headPosition(): Promise<GlobalPosition>;
  /** How many events after `from` pass the filter, counted up to `limit`: a relay's outbox depth. */
  countAfter(from: GlobalPosition, filter: EventFilter | undefined, limit: number): Promise<number>;
}

export interface OpenEventStoreOptions {
  /** The PostgreSQL pool of the service (the PostgreSQL store's events live there). */
  pool: pg.Pool;
  /** Counts appended events and times appends (either store). */
  metrics?: AppendMetrics;
  /** Where the PostgreSQL store's LISTEN connection reports a lost and regained database. */
  logger?: ListenerLog;
}

/**
 * The store the configuration selects. EventStoreDB gets a client of its own, disposed when the
 * store closes; the client connects lazily, so an unreachable server shows on the first append or
 * read (and in /readyz through the relay), not here.
 */
export function openEventStore(settings: EventStoreSettings, options: OpenEventStoreOptions): OpenedEventStore {
  switch (settings.kind) {
    case 'postgres':
      return new PostgresEventStore(options.pool, undefined, {
        ...(options.metrics ? { metrics: options.metrics } : {}),
        ...(options.logger ? { logger: options.logger } : {}),
      });
    case 'eventstoredb':
      return new EventStoreDbEventStore(EventStoreDBClient.connectionString(settings.url), undefined, {
        ownsClient: true,
        ...(options.metrics ? { metrics: options.metrics } : {}),
      });
    default: {
      const unexpected: never = settings;
      throw new Error(`unknown event store ${JSON.stringify(unexpected)}`);
    }
  }
}
