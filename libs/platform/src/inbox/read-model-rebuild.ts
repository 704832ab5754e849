import type { DataSource } from 'typeorm';
import type { EvalVaultEvent } from '@evalvault/contracts';
import { START, type EventStore, type GlobalPosition } from '../event-store/event-store.port.js';

/**
 * A read model that is a pure projection of the event store: emptied and replayed, it comes back
 * row for row (apart from the moments rows were processed). Each service declares its own; state
 * that is not derived from events (keys, spend counters, schedules) is never listed here.
 */
export interface ReadModelRebuild {
  /** What the operator reads, e.g. "runs read model". */
  name: string;
  schema: string;
  /** The inbox consumer the projection records its events under (forgotten before the replay). */
  consumer: string;
  /** Every table the projection writes, emptied before the replay. */
  tables: readonly string[];
  projection(dataSource: DataSource): { applyAll(events: readonly EvalVaultEvent[]): Promise<number> };
}

const PAGE = 500;

/**
 * Rebuilds one read model from the event store: its tables and its inbox entries go in one
 * transaction, then every event of the log is applied again in the log's order, a page at a
 * time (each page all or nothing). Run it while the service's consumers are stopped: a consumer
 * writing meanwhile would be undone by the emptying. Answers how many events changed the model.
 */
export async function rebuildProjection(
  rebuild: ReadModelRebuild,
  dataSource: DataSource,
  store: EventStore,
): Promise<number> {
  const schema = quoted(rebuild.schema);
  await dataSource.transaction(async (manager) => {
    for (const table of rebuild.tables) await manager.query(`DELETE FROM ${schema}.${quoted(table)}`);
    await manager.query(`DELETE FROM ${schema}.inbox WHERE consumer = $1`, [rebuild.consumer]);
  });
  const projection = rebuild.projection(dataSource);
  let applied = 0;
  for (let from: GlobalPosition = START; ; ) {
    const page = await store.readAll(from, { maxCount: PAGE });
    applied += await projection.applyAll(page.map(({ event }) => event));
    if (page.length < PAGE) return applied;
    from = page.at(-1)!.position;
  }
}

const quoted = (identifier: string): string => `"${identifier.replaceAll('"', '""')}"`;
