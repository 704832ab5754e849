import type { EventFilter } from '../event-store.port.js';

export interface EventRow {
  commit: string;
  sequence: string;
  stream_id: string;
  revision: string;
  data: Buffer;
}

/** LIKE patterns match literally: escape the wildcard characters of a prefix. */
function likePrefix(prefix: string): string {
  return prefix.replace(/[\\%_]/g, (character) => `\\${character}`) + '%';
}

/** SQL `AND …` for a filter, appending its values to `params`. */
export function filterClause(filter: EventFilter | undefined, params: unknown[]): string {
  const clauses: string[] = [];
  if (filter?.eventTypes && filter.eventTypes.length > 0) {
    params.push(filter.eventTypes);
    clauses.push(`AND event_type = ANY($${params.length}::text[])`);
  }
  if (filter?.streamPrefixes && filter.streamPrefixes.length > 0) {
    params.push(filter.streamPrefixes.map(likePrefix));
    clauses.push(`AND stream_id LIKE ANY($${params.length}::text[])`);
  }
  return clauses.join(' ');
}
