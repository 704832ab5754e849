import { EventCodec, topicOf, type EvalVaultEvent } from '@evalvault/contracts';
import { EventClient } from '../event-client.js';
import { eventHeaders } from '../event-headers.js';
import type { BusMetrics } from '../bus-metrics.js';
import type { InProcessBroker } from './in-process-broker.js';

/** The embedded twin of KafkaEventClient: the same Avro bytes and headers, into the in-process broker. */
export class InProcessEventClient extends EventClient {
  constructor(
    private readonly broker: InProcessBroker,
    private readonly metrics: BusMetrics,
    private readonly codec: EventCodec = new EventCodec(),
  ) {
    super();
  }

  async connect(): Promise<void> {}

  async publishBatch(events: readonly EvalVaultEvent[]): Promise<void> {
    for (const event of events) {
      const topic = topicOf(event.type);
      this.broker.produce(topic, {
        key: event.streamId,
        value: this.codec.encode(event),
        headers: eventHeaders(event),
      });
      this.metrics.published.inc({ topic });
    }
  }

  unwrap<T>(): T {
    return this.broker as T;
  }

  close(): void {}
}
