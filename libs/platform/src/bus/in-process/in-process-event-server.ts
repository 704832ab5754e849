import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { deadLetterTopic } from '@evalvault/contracts';
import { topicsForEventTypes } from '../event-routing.js';
import { processorDeps, type EventServerOptions } from '../event-server-options.js';
import { deadLetterHeaders, processMessage } from '../message-processor.js';
import type { InProcessBroker } from './in-process-broker.js';

export interface InProcessEventServerOptions extends EventServerOptions {
  broker: InProcessBroker;
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
      const deps = processorDeps(
        this.options,
        (eventType) => this.getHandlerByPattern(eventType),
        async (letter) => {
          broker.produce(deadLetterTopic(letter.message.topic), {
            key: letter.message.key,
            value: letter.message.value,
            headers: deadLetterHeaders(letter, groupId),
          });
        },
      );
      this.stop = broker.consume(groupId, topics, this.options.fromBeginning ?? true, (message) =>
        processMessage(message, deps),
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
