import type { EvalVaultEvent } from '@evalvault/contracts';
import { BUS_HEADERS } from './bus-message.js';

/**
 * Headers on every published event, so consumers can route and trace without decoding. The
 * traceparent is the producer span's when there is one (the consumer's span becomes its child),
 * else the envelope's.
 */
export function eventHeaders(event: EvalVaultEvent, traceparent = event.traceparent): Record<string, string> {
  const headers: Record<string, string> = { [BUS_HEADERS.eventType]: event.type, [BUS_HEADERS.eventId]: event.eventId };
  if (traceparent) headers[BUS_HEADERS.traceparent] = traceparent;
  return headers;
}
