import { BaseRpcContext } from '@nestjs/microservices';
import type { EvalVaultEvent } from '@evalvault/contracts';

/** A message as it travels on a topic: the same shape on Kafka and on the in-process broker. */
export interface BusMessage {
  topic: string;
  key: string;
  value: Buffer;
  headers: Record<string, string>;
  partition: number;
  offset: string;
}

/** Header names the platform sets on every message it publishes or dead-letters. */
export const BUS_HEADERS = {
  eventType: 'evalvault-event-type',
  eventId: 'evalvault-event-id',
  traceparent: 'traceparent',
  error: 'evalvault-dlq-error',
  errorCode: 'evalvault-dlq-error-code',
  originalTopic: 'evalvault-dlq-original-topic',
  originalPartition: 'evalvault-dlq-original-partition',
  originalOffset: 'evalvault-dlq-original-offset',
  attempts: 'evalvault-dlq-attempts',
  consumerGroup: 'evalvault-dlq-consumer-group',
  /** Set when a dead letter keeps only the head of an oversized message: the size it had. */
  originalSize: 'evalvault-dlq-original-size',
} as const;

/** What a handler can learn about the message it is handling (Nest's `@Ctx()`). */
export class BusContext extends BaseRpcContext<[BusMessage, number]> {
  constructor(message: BusMessage, attempt: number) {
    super([message, attempt]);
  }
  getMessage(): BusMessage {
    return this.args[0];
  }
  /** 1 on first delivery, higher on retries. */
  getAttempt(): number {
    return this.args[1];
  }
}

export interface DeliveryPolicy {
  /** Handler attempts before a message is dead-lettered. */
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Larger messages are dead-lettered undecoded (MESSAGE_TOO_LARGE); default DEFAULT_MAX_MESSAGE_BYTES. */
  maxMessageBytes?: number;
}

export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = { maxAttempts: 5, initialBackoffMs: 200, maxBackoffMs: 5_000 };

/** Both transports hand decoded events to handlers registered under the event type. */
export type EventHandler = (event: EvalVaultEvent, context: BusContext) => Promise<unknown>;

/** Exponential backoff with full jitter, capped. */
export function backoffDelay(
  policy: Pick<DeliveryPolicy, 'initialBackoffMs' | 'maxBackoffMs'>,
  attempt: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
