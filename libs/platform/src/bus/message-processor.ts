import { lastValueFrom, isObservable } from 'rxjs';
import { context as otelContext, propagation, trace, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { MessageHandler } from '@nestjs/microservices';
import type { EvalVaultEvent, EventCodec } from '@evalvault/contracts';
import type { Logger } from 'pino';
import { BUS_HEADERS, BusContext, backoffDelay, type BusMessage, type DeliveryPolicy } from './bus-message.js';
import type { BusMetrics } from './bus-metrics.js';
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  deadLetterCode,
  impossibleEnvelope,
  oversized,
  trimmedForDeadLetter,
} from './poison.js';

export interface DeadLetter {
  message: BusMessage;
  error: Error;
  attempts: number;
}

export interface ProcessorDeps {
  codec: EventCodec;
  policy: DeliveryPolicy;
  groupId: string;
  logger: Logger;
  metrics: BusMetrics;
  handlerFor(eventType: string): MessageHandler | null;
  deadLetter(letter: DeadLetter): Promise<void>;
  /** Between retries: lets the Kafka consumer heartbeat so a long backoff does not cost its partitions. */
  beforeRetry?(): Promise<void>;
  /**
   * Whether what the handlers stand on (the service's database) answers. A handler that fails while it
   * does not failed for the outage, not for the message: that attempt does not count towards the dead
   * letter, so a database restart delays messages instead of dead-lettering them.
   */
  dependenciesUp?(): Promise<boolean>;
}

/**
 * What happens to one message, on either transport: decode it, hand it to the handler
 * for its event type (retrying with backoff), and dead-letter it when it cannot be
 * decoded or the handler keeps failing. Resolves once the message may be acknowledged;
 * rejects only if the dead letter itself could not be written (then it is redelivered).
 */
export async function processMessage(message: BusMessage, deps: ProcessorDeps): Promise<void> {
  // Producers name the event type in a header: a type this group does not handle is skipped
  // without decoding it (a planner's group sees every run's case results and needs none).
  const announcedType = message.headers[BUS_HEADERS.eventType];
  if (announcedType && !deps.handlerFor(announcedType)) return;
  const tooLarge = oversized(message, deps.policy.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES);
  // Its dead letter keeps only its head: the whole of it might not fit the DLQ topic and block the partition.
  if (tooLarge) return deadLetter(deps, trimmedForDeadLetter(message), tooLarge, 0);
  let event: EvalVaultEvent;
  try {
    event = deps.codec.decode(message.value);
  } catch (error) {
    // Decoding is deterministic: retrying a poison message cannot help.
    return deadLetter(deps, message, error as Error, 0);
  }
  const handler = deps.handlerFor(event.type);
  if (!handler) return; // Topics carry every event type of their area; a service handles some.
  const impossible = impossibleEnvelope(event, message);
  if (impossible) return deadLetter(deps, message, impossible, 0);

  const parent = propagation.extract(otelContext.active(), {
    traceparent: message.headers[BUS_HEADERS.traceparent] ?? event.traceparent ?? undefined,
  });
  const tracer = trace.getTracer('evalvault-bus');
  let counted = 0; // failures that count towards the dead letter (not those during an outage)
  for (let attempt = 1; ; attempt++) {
    const stopTimer = deps.metrics.handlerDuration.startTimer({ group: deps.groupId, event_type: event.type });
    const outcome = await tracer.startActiveSpan(
      `handle ${event.type}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.operation.type': 'process',
          'messaging.destination.name': message.topic,
          'messaging.consumer.group.name': deps.groupId,
          'evalvault.event_id': event.eventId,
          'evalvault.attempt': attempt,
        },
      },
      parent,
      async (span) => {
        try {
          const result = await handler(event, new BusContext(message, attempt));
          if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
          return null;
        } catch (error) {
          span.recordException(error as Error);
          span.setStatus({ code: SpanStatusCode.ERROR });
          return toError(error);
        } finally {
          span.end();
        }
      },
    );
    stopTimer({ outcome: outcome ? 'error' : 'ok' });
    if (!outcome) return;
    const outage = !(await dependenciesUp(deps));
    if (!outage) counted += 1;
    if (counted >= deps.policy.maxAttempts) return deadLetter(deps, message, outcome, attempt);
    deps.logger.warn(
      { err: outcome, eventId: event.eventId, eventType: event.type, attempt, group: deps.groupId },
      outage
        ? 'handler failed while the database is unreachable; retrying until it is back'
        : 'handler failed; retrying',
    );
    await sleep(backoffDelay(deps.policy, attempt));
    await deps.beforeRetry?.();
  }
}

function dependenciesUp(deps: ProcessorDeps): Promise<boolean> {
  return deps.dependenciesUp?.().catch(() => false) ?? Promise.resolve(true);
}

async function deadLetter(deps: ProcessorDeps, message: BusMessage, error: Error, attempts: number): Promise<void> {
  deps.logger.error(
    {
      err: error,
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
      attempts,
      group: deps.groupId,
    },
    'message dead-lettered',
  );
  deps.metrics.deadLettered.inc({
    group: deps.groupId,
    topic: message.topic,
    reason: deadLetterCode(error),
  });
  await deps.deadLetter({ message, error, attempts });
}

/** Nest's RPC exception filters hand back plain objects; keep their message. */
function toError(error: unknown): Error {
  if (error instanceof Error) return error;
  const message = (error as { message?: unknown })?.message;
  return new Error(typeof message === 'string' ? message : JSON.stringify(error));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Headers of a dead letter: the original ones plus what went wrong, where and how often. */
export function deadLetterHeaders(letter: DeadLetter, groupId: string): Record<string, string> {
  return {
    ...letter.message.headers,
    [BUS_HEADERS.error]: letter.error.message.slice(0, 2_000),
    [BUS_HEADERS.errorCode]: deadLetterCode(letter.error),
    [BUS_HEADERS.originalTopic]: letter.message.topic,
    [BUS_HEADERS.originalPartition]: String(letter.message.partition),
    [BUS_HEADERS.originalOffset]: letter.message.offset,
    [BUS_HEADERS.attempts]: String(letter.attempts),
    [BUS_HEADERS.consumerGroup]: groupId,
  };
}
