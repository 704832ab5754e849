import type pg from 'pg';
import { DataSource, type MigrationInterface } from 'typeorm';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { busMetrics, type BusMetrics } from '../bus/bus-metrics.js';
import { ConsumerLagSampler } from '../bus/kafka/consumer-lag-sampler.js';
import { KafkaEventClient } from '../bus/kafka/kafka-event-client.js';
import { KafkaEventServer } from '../bus/kafka/kafka-event-server.js';
import { migrationStatus, unknownMigrationsMessage } from '../event-store/postgres/migration-status.js';
import type { EventStoreSettings } from '../event-store/event-store-config.js';
import { openEventStore, type OpenedEventStore } from '../event-store/open-event-store.js';
import { createKafka, type KafkaSettings } from '../kafka/kafka-config.js';
import { ensureTopics } from '../kafka/topic-admin.js';
import { kafkaLogCreator } from '../kafka/kafka-logging.js';
import { appendMetrics } from '../event-store/append-metrics.js';
import { kafkaReadiness, postgresReadiness } from '../observability/readiness-checks.js';
import type { ReadinessCheck } from '../observability/health.js';
import { PostgresCheckpointStore } from '../relay/checkpoint-store.js';
import { EventRelay } from '../relay/event-relay.js';
import { databaseAnswers, openDatabasePool } from './database-pool.js';

export type MigrationClass = new () => MigrationInterface;

export interface DistributedAdapterOptions {
  databaseUrl: string;
  kafka: KafkaSettings;
  /** Where the service's streams are kept: PostgreSQL (its database) or EventStoreDB. */
  eventStore: EventStoreSettings;
  /** Schemas the service uses, with the migrations `npm run migrate` must have applied. */
  schemas: ReadonlyArray<readonly [schema: string, migrations: readonly MigrationClass[]]>;
  logger: Logger;
  registry: Registry;
}

/** A relay of the service's own streams, named for its checkpoint. */
export interface RelaySpec {
  name: string;
  streamPrefixes: readonly string[];
  /** Where a relay without a checkpoint starts: the beginning of the log, or its end now. */
  start: 'earliest' | 'latest';
}

/**
 * What a service stands on in distributed mode: PostgreSQL (a pool, a TypeORM data source and
 * the event store on it) and Kafka (topics ensured, event servers, a publisher, relays). Every
 * service's runtime opened these the same way; here once.
 */
export interface DistributedAdapters {
  pool: pg.Pool;
  dataSource: DataSource;
  store: OpenedEventStore;
  kafka: Kafka;
  metrics: BusMetrics;
  publisher: KafkaEventClient;
  eventServer(groupId: string, transportId: symbol, fromBeginning: boolean): KafkaEventServer;
  relay(spec: RelaySpec): EventRelay;
  /** What /readyz checks: the database, the broker, and every relay and consumer made here (added as they are made). */
  readiness: ReadinessCheck[];
  /** Stops the relays made here, then closes the broker and database connections. */
  close(): Promise<void>;
}

/**
 * Refuses to start on pending migrations (they are run explicitly: `npm run migrate`) and on a schema
 * migrated by a newer release (migrations it does not know, named in the error).
 */
export async function openDistributedAdapters(options: DistributedAdapterOptions): Promise<DistributedAdapters> {
  const { databaseUrl, logger, registry } = options;
  const status = await migrationStatus(databaseUrl, options.schemas);
  if (status.unknown.length > 0) throw new Error(unknownMigrationsMessage(status.unknown));
  const [pending] = status.pending;
  if (pending) throw new Error(`schema ${pending} has pending migrations: run "npm run migrate" first`);
  const pool = openDatabasePool(databaseUrl, logger);
  const dataSource = await new DataSource({
    type: 'postgres',
    url: databaseUrl,
    logging: false,
    // TypeORM's own pool: its idle connections are cut by a restart too (TypeORM listens; this says so in our log).
    poolErrorHandler: (err: Error) => logger.warn({ err: { message: err.message } }, 'TypeORM connection lost'),
  }).initialize();
  const store = openEventStore(options.eventStore, { pool, metrics: appendMetrics(registry), logger });
  const kafka = createKafka(options.kafka, { logCreator: kafkaLogCreator(logger) });
  const metrics = busMetrics(registry);
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin);
  const publisher = new KafkaEventClient(kafka, metrics, undefined, options.kafka.framing);
  const relays: EventRelay[] = [];
  const groups: string[] = [];
  const lagSampler = new ConsumerLagSampler(admin, () => groups, metrics, logger);
  // Every relay and consumer made here adds its own check: /readyz is false while one cannot make progress.
  const readiness: ReadinessCheck[] = [postgresReadiness(pool), kafkaReadiness(admin)];
  return {
    pool,
    dataSource,
    store,
    kafka,
    metrics,
    publisher,
    readiness,
    eventServer(groupId, transportId, fromBeginning) {
      const server = new KafkaEventServer({
        ...{ kafka, groupId, transportId, logger, metrics, fromBeginning, registry },
        dependenciesUp: () => databaseAnswers(pool),
      });
      groups.push(groupId);
      lagSampler.start();
      readiness.push(server.readiness);
      return server;
    },
    relay(spec) {
      const relay = new EventRelay(store, publisher, new PostgresCheckpointStore(pool), {
        name: spec.name,
        filter: { streamPrefixes: [...spec.streamPrefixes] },
        logger,
        registry,
        countPending: (from, filter, limit) => store.countAfter(from, filter, limit),
        ...(spec.start === 'latest' ? { startWhenNew: () => store.headPosition() } : {}),
      });
      relays.push(relay);
      readiness.push(relay.readiness);
      return relay;
    },
    async close() {
      lagSampler.stop();
      for (const relay of relays) await relay.stop();
      await admin.disconnect();
      await publisher.close();
      await store.close();
      await dataSource.destroy();
      await pool.end();
    },
  };
}
