import type { Kafka, Message, Producer } from 'kafkajs';
import { EventCodec, topicOf, type EvalVaultEvent } from '@evalvault/contracts';
import { EventClient } from '../event-client.js';
import { eventHeaders } from '../event-headers.js';
import type { BusMetrics } from '../bus-metrics.js';

/**
 * Publishes our events to Kafka: `client.emit(event.type, event)`, or `publishBatch`
 * for the relay. Key = stream id, so one stream's events stay in order on one
 * partition; the idempotent producer keeps retries from duplicating or reordering them.
 */
export class KafkaEventClient extends EventClient {
  private producer?: Producer;

  constructor(
    private readonly kafka: Kafka,
    private readonly metrics: BusMetrics,
    private readonly codec: EventCodec = new EventCodec(),
  ) {
    super();
  }

  async connect(): Promise<Producer> {
    if (!this.producer) {
      const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false });
      await producer.connect(); // kept only once connected: a failed connect is tried afresh next time
      this.producer = producer;
    }
    return this.producer;
  }

  async publishBatch(events: readonly EvalVaultEvent[]): Promise<void> {
    const producer = await this.connect();
    const byTopic = new Map<string, Message[]>();
    for (const event of events) {
      const topic = topicOf(event.type);
      const messages = byTopic.get(topic) ?? [];
      messages.push({ key: event.streamId, value: this.codec.encode(event), headers: eventHeaders(event) });
      byTopic.set(topic, messages);
    }
    try {
      await producer.sendBatch({
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        acks: -1,
      });
    } catch (error) {
      // After an outage kafkajs may keep a producer that never reconnects: the next batch gets a new one.
      this.producer = undefined;
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
    for (const [topic, messages] of byTopic) this.metrics.published.inc({ topic }, messages.length);
  }

  unwrap<T>(): T {
    return this.producer as T;
  }

  async close(): Promise<void> {
    await this.producer?.disconnect();
    this.producer = undefined;
  }
}
