import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { Registry } from 'prom-client';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { EvalVaultEvent } from '@evalvault/contracts';
import {
  busMetrics,
  createKafka,
  createLogger,
  createServiceApp,
  KafkaEventClient,
  KafkaEventServer,
  migrateEventStore,
  ownerServiceModule,
  PostgresEventStore,
  runMigrations,
  secretResolver,
  type KafkaSettings,
} from '@evalvault/platform';
import type { DeliveryConfig } from '../config.js';
import { KafkaDeadLetterSink } from '../delivery/dead-letters.js';
import { buildNotifier, type Notifier } from '../notifier.composition.js';
import { NotifierModule } from '../notifier.module.js';
import { NOTIFIER_MIGRATIONS, NOTIFIER_SCHEMA } from '../migrations/notifier.migrations.js';

/** Fast pacing for tests: attempts milliseconds apart, a short lease. */
export const TEST_DELIVERY: DeliveryConfig = {
  maxAttempts: 3,
  timeoutMs: 500,
  initialBackoffMs: 50,
  maxBackoffMs: 200,
  maxRetryAfterMs: 5_000,
  leaseMs: 2_000,
  pollMs: 50,
  concurrency: 4,
  breakerThreshold: 100,
  breakerCooldownMs: 1_000,
};

export interface InProcessNotifier {
  notifier: Notifier;
  store: PostgresEventStore;
  publisher: KafkaEventClient;
  /** Every log line the notifier wrote, as text. */
  logs: () => string;
  /** The metrics registry its /metrics serves. */
  registry: Registry;
  close(): Promise<void>;
}

export async function migrateNotifierSchema(databaseUrl: string): Promise<void> {
  await migrateEventStore(databaseUrl);
  await runMigrations(databaseUrl, NOTIFIER_SCHEMA, NOTIFIER_MIGRATIONS);
}

/**
 * The notifier in this process on the real PostgreSQL and Kafka, wired exactly as the service
 * (Nest module, Kafka consumer groups of its own starting at the end of the topics, the delivery
 * worker), with its logs captured so tests can look for secrets in them.
 */
export async function startInProcessNotifier(options: {
  databaseUrl: string;
  kafka: KafkaSettings;
  secrets: Record<string, string>;
  egressAllow: string[];
  delivery?: Partial<DeliveryConfig>;
}): Promise<InProcessNotifier> {
  await migrateNotifierSchema(options.databaseUrl);
  let logs = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs += chunk.toString();
      done();
    },
  });
  const config = { serviceName: 'notifier', host: '127.0.0.1', port: 0, logLevel: 'info' as const, redactPaths: [] };
  const logger = createLogger(config, sink);
  const registry = new Registry();
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 6 });
  const dataSource = await new DataSource({
    type: 'postgres',
    url: options.databaseUrl,
    logging: false,
    extra: { max: 6 },
  }).initialize();
  const store = new PostgresEventStore(pool);
  const kafka = createKafka(options.kafka);
  const metrics = busMetrics(registry);
  const deadLetters = new KafkaDeadLetterSink(kafka);
  const prefix = `test-notifier-${randomUUID().slice(0, 8)}`;
  const notifier = buildNotifier(
    {
      dataSource,
      store,
      deadLetters,
      secrets: secretResolver(options.secrets),
      logger,
      registry,
      serverFor: (groupId, transportId) =>
        new KafkaEventServer({ kafka, groupId, transportId, logger, metrics, fromBeginning: false }),
    },
    {
      egressAllow: options.egressAllow,
      secretRefPrefixes: ['env:EVALVAULT_SECRET_'],
      publicUrl: () => 'https://evalvault.example.com',
      groupPrefix: prefix,
      consumerStart: 'latest',
      delivery: { ...TEST_DELIVERY, ...options.delivery },
    },
  );
  const app: NestFastifyApplication = await createServiceApp(
    ownerServiceModule({
      module: NotifierModule.with(notifier),
      readiness: [notifier.worker.readiness],
      start: () => notifier.worker.start(),
    }),
    config,
    logger,
    registry,
  );
  for (const strategy of notifier.consumers) app.connectMicroservice({ strategy }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  await app.init();
  const publisher = new KafkaEventClient(kafka, metrics);
  return {
    notifier,
    store,
    publisher,
    logs: () => logs,
    registry,
    async close() {
      await app.close();
      await notifier.worker.stop();
      await publisher.close();
      await deadLetters.close();
      await store.close();
      await dataSource.destroy();
      await pool.end();
    },
  };
}

/** Publishes events as the relay would; publishing one twice is what a redelivery looks like to a consumer. */
export async function publish(notifier: InProcessNotifier, ...events: EvalVaultEvent[]): Promise<void> {
  await notifier.publisher.publishBatch(events);
}
