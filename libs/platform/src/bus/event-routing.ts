import { EVENT_TOPIC, topicOf, type EventType } from '@evalvault/contracts';

/** The topics a server must consume to receive the event types its handlers name. */
export function topicsForEventTypes(eventTypes: readonly string[]): string[] {
  const unknown = eventTypes.filter((type) => !(type in EVENT_TOPIC));
  if (unknown.length > 0) throw new Error(`@EventPattern names no known event type: ${unknown.join(', ')}`);
  return [...new Set(eventTypes.map((type) => topicOf(type as EventType)))].sort();
}
