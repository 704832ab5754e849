import type { Kafka, Producer } from 'kafkajs';
import { deadLetterTopic, EventCodec, topicOf, type EvalVaultEvent } from '@evalvault/contracts';
import { BUS_HEADERS, eventHeaders, type InProcessBroker } from '@evalvault/platform';

/** Where a notification that gave up is parked for an operator: its intent, with the last error. */
export interface DeadLetterSink {
  send(intent: EvalVaultEvent, error: string, attempts: number): Promise<void>;
  close(): Promise<void>;
}

function headersOf(intent: EvalVaultEvent, error: string, attempts: number): Record<string, string> {
  return {
    ...eventHeaders(intent),
    [BUS_HEADERS.error]: error.slice(0, 2_000),
    [BUS_HEADERS.errorCode]: 'DELIVERY_FAILED',
    [BUS_HEADERS.originalTopic]: topicOf(intent.type),
    [BUS_HEADERS.attempts]: String(attempts),
    [BUS_HEADERS.consumerGroup]: 'notifier-delivery',
  };
}

/** The dead-letter topic of the notifications topic (`evalvault.notifications.v1.dlq`), like every consumer's. */
export class KafkaDeadLetterSink implements DeadLetterSink {
  private producer?: Producer;

  constructor(
    private readonly kafka: Kafka,
    private readonly codec = new EventCodec(),
  ) {}

  async send(intent: EvalVaultEvent, error: string, attempts: number): Promise<void> {
    if (!this.producer) {
      this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
      await this.producer.connect();
    }
    await this.producer.send({
      topic: deadLetterTopic(topicOf(intent.type)),
      acks: -1,
      messages: [
        { key: intent.streamId, value: this.codec.encode(intent), headers: headersOf(intent, error, attempts) },
      ],
    });
  }

  async close(): Promise<void> {
    await this.producer?.disconnect();
  }
}

/** The same on the in-process broker (embedded mode). */
export class InProcessDeadLetterSink implements DeadLetterSink {
  constructor(
    private readonly broker: InProcessBroker,
    private readonly codec = new EventCodec(),
  ) {}

  async send(intent: EvalVaultEvent, error: string, attempts: number): Promise<void> {
    this.broker.produce(deadLetterTopic(topicOf(intent.type)), {
      key: intent.streamId,
      value: this.codec.encode(intent),
      headers: headersOf(intent, error, attempts),
    });
  }

  async close(): Promise<void> {}
}
