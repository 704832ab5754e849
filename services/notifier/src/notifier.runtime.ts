import pg from 'pg';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  appendedEventsCounter, busMetrics, createKafka, ensureTopics, EventRelay, EVENT_STORE_MIGRATIONS, kafkaLogCreator, kafkaReadiness, KafkaEventClient,
  KafkaEventServer, pendingMigrations, PostgresCheckpointStore, PostgresEventStore, postgresReadiness, secretResolver, type ReadinessCheck,
} from '@evalvault/platform';
import type { NotifierConfig } from './config.js';
import { KafkaDeadLetterSink } from './delivery/dead-letters.js';
import { NOTIFIER_STREAM_PREFIXES } from './notification/notification.ids.js';
import { buildNotifier, type Notifier } from './notifier.composition.js';
import { NOTIFIER_MIGRATIONS, NOTIFIER_SCHEMA } from './projection/notifier-read-model.migrations.js';

export interface NotifierRuntime {
  notifier: Notifier;
  relay: EventRelay;
  readiness: ReadinessCheck[];
  close(): Promise<void>;
}

/**
 * The notifier on PostgreSQL and Kafka (distributed mode). Migrations are run explicitly
 * (npm run migrate); a service finding them pending refuses to start.
 */
export async function createNotifierRuntime(config: NotifierConfig, logger: Logger, registry: Registry): Promise<NotifierRuntime> {
  for (const [schema, migrations] of [['eventstore', EVENT_STORE_MIGRATIONS], [NOTIFIER_SCHEMA, NOTIFIER_MIGRATIONS]] as const) {
    if (await pendingMigrations(config.databaseUrl, schema, [...migrations])) {
      throw new Error(`schema ${schema} has pending migrations: run "npm run migrate" first`);
    }
  }
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 10 });
  const dataSource = await new DataSource({ type: 'postgres', url: config.databaseUrl, logging: false, extra: { max: 10 } }).initialize();
  const store = new PostgresEventStore(pool, undefined, { appendedCounter: appendedEventsCounter(registry) });
  const kafka = createKafka(config.kafka, { logCreator: kafkaLogCreator(logger) });
  const metrics = busMetrics(registry);
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin);
  const deadLetters = new KafkaDeadLetterSink(kafka);
  const notifier = buildNotifier({
    dataSource, store, deadLetters, secrets: secretResolver(), logger, registry,
    serverFor: (groupId, transportId, fromBeginning) => new KafkaEventServer({ kafka, groupId, transportId, logger, metrics, fromBeginning }),
  }, config);
  const client = new KafkaEventClient(kafka, metrics);
  const relay = new EventRelay(store, client, new PostgresCheckpointStore(pool), {
    name: config.relayName, filter: { streamPrefixes: [...NOTIFIER_STREAM_PREFIXES] }, logger, registry,
    ...(config.relayStart === 'latest' ? { startWhenNew: () => store.headPosition() } : {}),
  });
  await relay.start();
  return {
    notifier,
    relay,
    readiness: [postgresReadiness(pool), kafkaReadiness(admin)],
    async close() {
      await notifier.worker.stop();
      await relay.stop();
      await admin.disconnect();
      await client.close();
      await deadLetters.close();
      await store.close();
      await dataSource.destroy();
      await pool.end();
    },
  };
}
