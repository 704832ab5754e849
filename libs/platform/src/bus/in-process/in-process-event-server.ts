import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { deadLetterTopic, EventCodec } from '@evalvault/contracts';
import { topicsForEventTypes } from '../event-routing.js';
import type { Logger } from 'pino';
import { DEFAULT_DELIVERY_POLICY, type DeliveryPolicy } from '../bus-message.js';
import { deadLetterHeaders, processMessage } from '../message-processor.js';
import type { BusMetrics } from '../bus-metrics.js';
import type { InProcessBroker } from './in-process-broker.js';

export interface InProcessEventServerOptions {
  broker: InProcessBroker;
  groupId: string;
  logger: Logger;
  metrics: BusMetrics;
  codec?: EventCodec;
  policy?: DeliveryPolicy;
  fromBeginning?: boolean;
  /** Lets `@EventPattern(type, transportId)` bind a handler to this server only (one service, several consumer groups). */
  transportId?: symbol;
}

/** The embedded twin of KafkaEventServer: same handlers, same processing, an in-process broker. */
export class InProcessEventServer extends Server implements CustomTransportStrategy {
  private stop?: () => Promise<void>;
  readonly ready: Promise<void> = Promise.resolve();

  constructor(private readonly options: InProcessEventServerOptions) {
    super();
    if (options.transportId) this.transportId = options.transportId;
  }

  listen(callback: (error?: unknown) => void): void {
    try {
      const topics = topicsForEventTypes([...this.messageHandlers.keys()]);
      const { broker, groupId } = this.options;
      const codec = this.options.codec ?? new EventCodec();
      this.stop = broker.consume(groupId, topics, this.options.fromBeginning ?? true, (message) =>
        processMessage(message, {
          codec,
          policy: this.options.policy ?? DEFAULT_DELIVERY_POLICY,
          groupId,
          logger: this.options.logger,
          metrics: this.options.metrics,
          handlerFor: (eventType) => this.getHandlerByPattern(eventType),
          deadLetter: async (letter) => {
            broker.produce(deadLetterTopic(letter.message.topic), { key: letter.message.key, value: letter.message.value, headers: deadLetterHeaders(letter, groupId) });
          },
        }),
      );
      callback();
    } catch (error) {
      callback(error);
    }
  }

  on(): never {
    throw new Error('InProcessEventServer has no status events to subscribe to');
  }

  unwrap<T>(): T {
    return this.options.broker as T;
  }

  async close(): Promise<void> {
    await this.stop?.();
  }
}
