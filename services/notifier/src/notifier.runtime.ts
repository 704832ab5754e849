import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { EVENT_STORE_MIGRATIONS, openDistributedAdapters, secretResolver, type EventRelay, type ReadinessCheck } from '@evalvault/platform';
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
  const adapters = await openDistributedAdapters({
    databaseUrl: config.databaseUrl, kafka: config.kafka, logger, registry,
    schemas: [['eventstore', EVENT_STORE_MIGRATIONS], [NOTIFIER_SCHEMA, NOTIFIER_MIGRATIONS]],
  });
  const deadLetters = new KafkaDeadLetterSink(adapters.kafka);
  const notifier = buildNotifier({
    dataSource: adapters.dataSource, store: adapters.store, deadLetters, secrets: secretResolver(), logger, registry, serverFor: adapters.eventServer,
  }, config);
  const relay = adapters.relay({ name: config.relayName, streamPrefixes: NOTIFIER_STREAM_PREFIXES, start: config.relayStart });
  await relay.start();
  adapters.readiness.push(notifier.worker.readiness);
  return {
    notifier,
    relay,
    readiness: adapters.readiness,
    async close() {
      await notifier.worker.stop();
      await deadLetters.close();
      await adapters.close();
    },
  };
}
