import type { DataSource } from 'typeorm';
import { START, type EventStore, type GlobalPosition } from '@evalvault/platform';
import { MEMORY_SCHEMA as S } from '../migrations/memory.migrations.js';
import { MEMORY_READ_MODEL_CONSUMER, MEMORY_READ_MODEL_TABLES, type MemoryProjection } from './memory.projection.js';

/** Memory's stream prefixes (spec: memoryfact-, memorybehaviour-, …): what its relay publishes and a rebuild reads. */
export const MEMORY_STREAM_PREFIXES = [
  'memoryfact-',
  'memorybehaviour-',
  'memorylearning-',
  'memorypolicy-',
  'memorydeletion-',
  'memorymaintenance-',
] as const;

const PAGE = 500;

/**
 * Rebuilds the read model from the event store (a replay): one tenant's part, or all of it.
 * The tenant's rows and the inbox records of its events go, then every memory event is applied
 * again in the log's order. Content keys are not derived and stay: a forgotten entry's key is
 * destroyed, so its FactProposed no longer opens and the entry does not come back. Answers how
 * many events were applied.
 */
export async function rebuildReadModel(
  dataSource: DataSource,
  store: EventStore,
  projection: MemoryProjection,
  tenantId: string | null = null,
): Promise<number> {
  const filter = { streamPrefixes: [...MEMORY_STREAM_PREFIXES] };
  let from: GlobalPosition = START;
  const eventIds: string[] = [];
  for (;;) {
    const page = await store.readAll(from, { maxCount: PAGE, filter });
    for (const { event } of page) if (tenantId === null || event.tenantId === tenantId) eventIds.push(event.eventId);
    if (page.length < PAGE) break;
    from = page.at(-1)!.position;
  }
  await dataSource.transaction(async (manager) => {
    for (const table of MEMORY_READ_MODEL_TABLES)
      await manager.query(`DELETE FROM ${S}.${table} WHERE ($1::text IS NULL OR tenant_id = $1)`, [tenantId]);
    await manager.query(`DELETE FROM ${S}.inbox WHERE consumer = $1 AND event_id = ANY ($2::uuid[])`, [
      MEMORY_READ_MODEL_CONSUMER,
      eventIds,
    ]);
  });
  let applied = 0;
  from = START;
  for (;;) {
    const page = await store.readAll(from, { maxCount: PAGE, filter });
    const events = page.map(({ event }) => event).filter((e) => tenantId === null || e.tenantId === tenantId);
    applied += await projection.applyAll(events);
    if (page.length < PAGE) break;
    from = page.at(-1)!.position;
  }
  return applied;
}
