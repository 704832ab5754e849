import type { MessageHandler } from '@nestjs/microservices';
import { EventCodec } from '@evalvault/contracts';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { DEFAULT_DELIVERY_POLICY, type DeliveryPolicy } from './bus-message.js';
import type { BusMetrics } from './bus-metrics.js';
import type { DeadLetter, ProcessorDeps } from './message-processor.js';

/** What both event servers (Kafka and in-process) are configured with. */
export interface EventServerOptions {
  /** One consumer group per service: every service sees every event once. */
  groupId: string;
  logger: Logger;
  metrics: BusMetrics;
  codec?: EventCodec;
  policy?: DeliveryPolicy;
  /** Where a new consumer group starts: the beginning (default: nothing retained is missed) or the end. */
  fromBeginning?: boolean;
  /**
   * Lets `@EventPattern(type, transportId)` bind a handler to this server only (one service, several
   * consumer groups).
   */
  transportId?: symbol;
  /** Where the consumer's health (`loop_up`) is exported; none: no health metrics. */
  registry?: Registry;
  /** Whether the handlers' database answers: failures while it does not are retried without counting. */
  dependenciesUp?: () => Promise<boolean>;
}

/** The message processor's dependencies from a server's options: the same for both transports. */
export function processorDeps(
  options: EventServerOptions,
  handlerFor: (eventType: string) => MessageHandler | null,
  deadLetter: (letter: DeadLetter) => Promise<void>,
): ProcessorDeps {
  return {
    codec: options.codec ?? new EventCodec(),
    policy: options.policy ?? DEFAULT_DELIVERY_POLICY,
    groupId: options.groupId,
    logger: options.logger,
    metrics: options.metrics,
    handlerFor,
    deadLetter,
    ...(options.dependenciesUp ? { dependenciesUp: options.dependenciesUp } : {}),
  };
}
