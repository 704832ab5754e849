import type { Kafka, Message, Producer } from 'kafkajs';
import { EventCodec, topicOf, type EvalVaultEvent, type MessageFraming } from '@evalvault/contracts';
import { EventClient } from '../event-client.js';
import { eventHeaders } from '../event-headers.js';
import type { BusMetrics } from '../bus-metrics.js';
import { endPublishSpans, startPublishSpan, type PublishSpan } from './kafka-tracing.js';

/**
 * Publishes our events to Kafka: `client.emit(event.type, event)`, or `publishBatch`
 * for the relay. Key = stream id, so one stream's events stay in order on one
 * partition; the idempotent producer keeps retries from duplicating or reordering them.
 * Values are framed as `framing` says (single-object by default; Confluent's wire format on request).
 */
export class KafkaEventClient extends EventClient {
  private producer?: Producer;

  constructor(
    private readonly kafka: Kafka,
    private readonly metrics: BusMetrics,
    private readonly codec: EventCodec = new EventCodec(),
    private readonly framing: MessageFraming = 'single-object',
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

  /** `stored[i]`, when given, is `events[i]` as the event store keeps it: published without encoding it again. */
  async publishBatch(events: readonly EvalVaultEvent[], stored?: readonly (Buffer | undefined)[]): Promise<void> {
    const producer = await this.connect();
    const encoded = events.map((event, index) => {
      const topic = topicOf(event.type);
      const publish = startPublishSpan(event, topic);
      return {
        topic,
        publish,
        message: {
          key: event.streamId,
          value: this.codec.frame(stored?.[index] ?? this.codec.encode(event), this.framing),
          headers: eventHeaders(event, publish?.traceparent ?? event.traceparent),
        } as Message,
      };
    });
    let sent = 0;
    try {
      // In order, one request at a time: a stream's events keep their order on their partition.
      for (const chunk of chunksUpTo(encoded, MAX_REQUEST_BYTES)) {
        await producer.sendBatch({ topicMessages: byTopic(chunk), acks: -1 });
        for (const { topic } of chunk) this.metrics.published.inc({ topic });
        endPublishSpans(chunk.map((item) => item.publish));
        sent += chunk.length;
      }
    } catch (error) {
      endPublishSpans(
        encoded.slice(sent).map((item) => item.publish),
        error,
      );
      // After an outage kafkajs may keep a producer that never reconnects: the next batch gets a new one.
      this.producer = undefined;
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
  }

  unwrap<T>(): T {
    return this.producer as T;
  }

  async close(): Promise<void> {
    await this.producer?.disconnect();
    this.producer = undefined;
  }
}

/**
 * The broker refuses a record batch over `message.max.bytes` (1 MiB by default), and kafkajs puts
 * a partition's messages of one request into one record batch: a relay batch of large events
 * (a work batch of 200 cases is ~200 KB) is sent in requests of at most this size.
 */
export const MAX_REQUEST_BYTES = 512 * 1024;

interface Encoded {
  topic: string;
  message: Message;
  /** Its producer span, ended once the message is acknowledged. */
  publish?: PublishSpan | null;
}

/** Consecutive runs of messages whose values add up to at most `limit` bytes (a larger message goes alone). */
export function chunksUpTo(items: readonly Encoded[], limit: number): Encoded[][] {
  const chunks: Encoded[][] = [];
  let current: Encoded[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = (item.message.value as Buffer).length;
    if (current.length > 0 && bytes + size > limit) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function byTopic(items: readonly Encoded[]): Array<{ topic: string; messages: Message[] }> {
  const topics = new Map<string, Message[]>();
  for (const { topic, message } of items) {
    const messages = topics.get(topic) ?? [];
    messages.push(message);
    topics.set(topic, messages);
  }
  return [...topics].map(([topic, messages]) => ({ topic, messages }));
}
