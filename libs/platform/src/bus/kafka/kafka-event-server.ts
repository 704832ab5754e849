import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import type { Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { deadLetterTopic } from '@evalvault/contracts';
import type { ReadinessCheck } from '../../observability/health.js';
import { LoopHealth } from '../../resilience/loop-health.js';
import { DEFAULT_RESTART_POLICY } from '../../resilience/supervised-loop.js';
import { backoffDelay } from '../bus-message.js';
import { topicsForEventTypes } from '../event-routing.js';
import { pinNewGroupToEnd } from './pin-new-group.js';
import type { BusMessage } from '../bus-message.js';
import { processorDeps, type EventServerOptions } from '../event-server-options.js';
import { deadLetterHeaders, processMessage, type DeadLetter } from '../message-processor.js';

export interface KafkaEventServerOptions extends EventServerOptions {
  kafka: Kafka;
  /** How long the group waits for a silent member before moving its partitions; default 10 s. */
  sessionTimeoutMs?: number;
}

/** Between heartbeats, also while a handler is busy (kafkajs throttles them to this interval). */
const HEARTBEAT_INTERVAL_MS = 1_000;
/**
 * How long a rebalance waits for members to rejoin. A member rejoins only between messages, so a
 * busy one (a judged batch at the provider's limit may take a minute) must get that long, or the
 * group drops it and hands its message to another member while it still scores it.
 */
const REBALANCE_TIMEOUT_MS = 120_000;

/**
 * Nest transport for consuming our Avro events from Kafka. Handlers are registered with
 * `@EventPattern('<EventType>')`; the server subscribes to the topics those types travel
 * on. A message's offset is resolved only once its handler's effect is stored or it was
 * dead-lettered, and resolved offsets are committed in small batches (kafkajs autoCommit
 * commits only resolved offsets); after a crash the uncommitted tail is redelivered, which
 * inboxes make harmless. Nest's built-in Kafka server has no dead-letter topic and no
 * retry policy of ours, hence this transport. kafkajs restarts a consumer that crashed on a
 * retriable error; one it gives up on is restarted here with backoff, and the readiness
 * check fails from the crash until the consumer fetches again.
 */
export class KafkaEventServer extends Server implements CustomTransportStrategy {
  private consumer?: Consumer;
  private producer?: Producer;
  private readyResolve!: () => void;
  /** Resolves once the consumer has joined its group and fetched, i.e. its start offsets are fixed. */
  readonly ready = new Promise<void>((resolve) => {
    this.readyResolve = resolve;
  });
  private readonly health: LoopHealth;
  private restarts = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private closing = false;

  constructor(private readonly options: KafkaEventServerOptions) {
    super();
    if (options.transportId) this.transportId = options.transportId;
    this.health = new LoopHealth(`consumer:${options.groupId}`, options.registry);
  }

  /** For /readyz: fails from a crash of the consumer until it fetches again. */
  get readiness(): ReadinessCheck {
    return this.health.readiness;
  }

  /** Reports ready only once consuming: a service that says it is up does not miss what comes next. */
  listen(callback: (error?: unknown) => void): void {
    const readyWithin = (ms: number): Promise<void> =>
      Promise.race([
        this.ready,
        new Promise<never>((_, reject) =>
          setTimeout(
            () => reject(new Error(`consumer group ${this.options.groupId} did not start fetching within ${ms} ms`)),
            ms,
          ).unref(),
        ),
      ]);
    this.start()
      .then(() => readyWithin(60_000))
      .then(
        () => callback(),
        (error: unknown) => callback(error),
      );
  }

  private async start(restart = false): Promise<void> {
    const topics = topicsForEventTypes([...this.messageHandlers.keys()]);
    if (topics.length === 0) {
      this.readyResolve();
      return;
    }
    const { kafka, groupId } = this.options;
    if (this.options.fromBeginning === false && !restart) await pinNewGroupToEnd(kafka, groupId, topics);
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await this.producer.connect();
    // A short session lets a crashed member's partitions move to the others within seconds; a
    // busy one keeps its session by heartbeating while its handler runs.
    const consumer = kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 200,
      sessionTimeout: this.options.sessionTimeoutMs ?? 10_000,
      rebalanceTimeout: REBALANCE_TIMEOUT_MS,
      heartbeatInterval: HEARTBEAT_INTERVAL_MS,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.FETCH, () => {
      this.readyResolve();
      this.restarts = 0;
      this.health.progressed();
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.health.failed(payload.error);
      this.options.logger.error(
        { err: payload.error, groupId, restartedByKafkajs: payload.restart },
        'consumer crashed',
      );
      if (!payload.restart) this.scheduleRestart(consumer);
    });
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      this.options.metrics.consumerLag.set(
        { group: groupId, topic: payload.topic, partition: String(payload.partition) },
        Number(payload.offsetLag),
      );
    });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: this.options.fromBeginning ?? true });
    const deps = processorDeps(
      this.options,
      (eventType) => this.getHandlerByPattern(eventType),
      (letter) => this.sendDeadLetter(letter),
    );
    await consumer.run({
      autoCommit: true,
      autoCommitInterval: 1_000,
      autoCommitThreshold: 100,
      eachMessage: async ({ topic, partition, message, heartbeat }) => {
        const keepAlive = setInterval(() => {
          // A failed heartbeat (a rebalance under way) is answered when the handler returns.
          heartbeat().catch(() => undefined);
        }, HEARTBEAT_INTERVAL_MS);
        try {
          await processMessage(toBusMessage(topic, partition, message), { ...deps, beforeRetry: heartbeat });
        } finally {
          clearInterval(keepAlive);
        }
      },
    });
    this.options.logger.info({ groupId, topics }, 'consuming');
  }

  /** A consumer kafkajs will not restart: a new one after a backoff, resuming from the committed offsets. */
  private scheduleRestart(crashed: Consumer): void {
    if (this.closing || this.restartTimer) return;
    this.restarts += 1;
    const delayMs = backoffDelay(DEFAULT_RESTART_POLICY, this.restarts);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      void (async () => {
        await crashed.disconnect().catch(() => undefined);
        await this.producer?.disconnect().catch(() => undefined);
        if (this.closing) return;
        await this.start(true).catch((error: unknown) => {
          this.health.failed(error as Error);
          this.options.logger.error(
            { err: error, groupId: this.options.groupId },
            'consumer restart failed; trying again',
          );
          this.scheduleRestart(crashed);
        });
      })();
    }, delayMs);
  }

  private async sendDeadLetter(letter: DeadLetter): Promise<void> {
    await this.producer!.send({
      topic: deadLetterTopic(letter.message.topic),
      messages: [
        {
          key: letter.message.key,
          value: letter.message.value,
          headers: deadLetterHeaders(letter, this.options.groupId),
        },
      ],
    });
  }

  on(): never {
    throw new Error('KafkaEventServer has no status events to subscribe to');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
  }
}

function toBusMessage(topic: string, partition: number, message: KafkaMessage): BusMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.map(String).join(',') : String(value);
  }
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString() ?? '',
    value: message.value ?? Buffer.alloc(0),
    headers,
  };
}
