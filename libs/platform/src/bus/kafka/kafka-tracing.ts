import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { EvalVaultEvent } from '@evalvault/contracts';

const tracer = trace.getTracer('evalvault-bus');

/** A producer span of one event and the traceparent its Kafka message carries, so consumers become its children. */
export interface PublishSpan {
  span: Span;
  traceparent: string;
}

/**
 * Starts the producer span of an event the relay sends: a child of the span the event was written
 * in (its envelope's traceparent), not of the relay's own loop, so the event's trace goes on
 * through Kafka. An event written outside any trace gets none (no trace of its own either).
 */
export function startPublishSpan(event: EvalVaultEvent, topic: string): PublishSpan | null {
  if (!event.traceparent) return null;
  const parent = propagation.extract(ROOT_CONTEXT, { traceparent: event.traceparent });
  const span = tracer.startSpan(
    `send ${topic}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'send',
        'messaging.destination.name': topic,
        'messaging.message.id': event.eventId,
        'messaging.kafka.message.key': event.streamId,
        'evalvault.event_type': event.type,
      },
    },
    parent,
  );
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(parent, span), carrier);
  return { span, traceparent: carrier['traceparent'] ?? event.traceparent };
}

/** Ends producer spans once their messages are acknowledged, or with the error that stopped them. */
export function endPublishSpans(spans: readonly (PublishSpan | null | undefined)[], error?: unknown): void {
  for (const publish of spans) {
    if (!publish) continue;
    if (error) {
      publish.span.recordException(error as Error);
      publish.span.setStatus({ code: SpanStatusCode.ERROR });
    }
    publish.span.end();
  }
}
