import type { CustomTransportStrategy } from '@nestjs/microservices';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  busMetrics,
  createKafka,
  ensureTopics,
  EventRelay,
  kafkaLogCreator,
  KafkaEventClient,
  KafkaEventServer,
  StoreEventServer,
  type CheckpointStore,
  type EventStore,
  type OpenedEventStore,
  type KafkaSettings,
  type ReadinessCheck,
} from '@evalvault/platform';

/** How the services of one process hear each other's events. */
export interface EmbeddedBus {
  /** A consumer for one group. */
  eventServer(groupId: string, transportId: symbol, logger: Logger): CustomTransportStrategy;
  /** Starts publishing the store's log when a broker carries the events (Kafka); nothing to do otherwise. */
  start(): Promise<void>;
  close(): Promise<void>;
  describe: string;
  /**
   * One check per consumer group and relay made so far: the embedded /readyz is false while one cannot
   * make progress.
   */
  readiness: ReadinessCheck[];
}

/**
 * The default: every consumer group follows the event store from its own checkpoint. No broker,
 * nothing held only in memory, so a restart loses no event between a write and its consumers.
 */
export function storeBus(store: EventStore, checkpoints: CheckpointStore, registry: Registry): EmbeddedBus {
  const metrics = busMetrics(registry);
  const readiness: ReadinessCheck[] = [];
  return {
    describe: 'event store (no broker)',
    readiness,
    eventServer(groupId, transportId, logger) {
      const server = new StoreEventServer({
        store,
        checkpoints,
        groupId,
        transportId,
        logger,
        metrics,
        registry,
        // Embedded, dead letters stay in the log (level error, with the event) and the metric.
        deadLetter: async (letter) => {
          logger.error(
            {
              err: letter.error,
              group: groupId,
              topic: letter.message.topic,
              key: letter.message.key,
              attempts: letter.attempts,
            },
            'event dead-lettered',
          );
        },
      });
      readiness.push(server.readiness);
      return server;
    },
    start: async () => undefined,
    close: async () => undefined,
  };
}

/**
 * KAFKA_BROKERS given: the same services on a real broker, as in distributed mode. One relay
 * publishes the whole log (every service's streams are in this process's store). A new
 * consumer group starts at the end of the topics, pinned before the relay publishes anything:
 * a shared broker carries other installations' events, and this installation's own history
 * reaches it through its relay, which starts at the beginning of its store.
 */
export async function kafkaBus(
  settings: KafkaSettings,
  store: OpenedEventStore,
  checkpoints: CheckpointStore,
  logger: Logger,
  registry: Registry,
): Promise<EmbeddedBus> {
  const kafka = createKafka(settings, { logCreator: kafkaLogCreator(logger) });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin);
  await admin.disconnect();
  const metrics = busMetrics(registry);
  const publisher = new KafkaEventClient(kafka, metrics);
  const relay = new EventRelay(store, publisher, checkpoints, {
    name: 'embedded',
    logger,
    registry,
    countPending: (from, filter, limit) => store.countAfter(from, filter, limit),
  });
  const readiness: ReadinessCheck[] = [relay.readiness];
  return {
    describe: `Kafka at ${settings.brokers.join(',')}`,
    readiness,
    eventServer(groupId, transportId, serviceLogger) {
      const server = new KafkaEventServer({
        kafka,
        groupId,
        transportId,
        logger: serviceLogger,
        metrics,
        fromBeginning: false,
        registry,
      });
      readiness.push(server.readiness);
      return server;
    },
    start: () => relay.start(),
    async close() {
      await relay.stop();
      await publisher.close();
    },
  };
}
