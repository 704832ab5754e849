import type { EvalVaultEvent } from '@evalvault/contracts';
import { BUS_HEADERS } from './bus-message.js';

/** Headers on every published event, so consumers can route and trace without decoding. */
export function eventHeaders(event: EvalVaultEvent): Record<string, string> {
  const headers: Record<string, string> = { [BUS_HEADERS.eventType]: event.type, [BUS_HEADERS.eventId]: event.eventId };
  if (event.traceparent) headers[BUS_HEADERS.traceparent] = event.traceparent;
  return headers;
}
