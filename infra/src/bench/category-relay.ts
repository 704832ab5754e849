import type pg from 'pg';
import { pino } from 'pino';
import type { Counter, Registry } from 'prom-client';
import type { EvalVaultEvent } from '@evalvault/contracts';
import { runStarted } from '@evalvault/contracts/testing';
import {
  EventRelay,
  PostgresCheckpointStore,
  readAllQuery,
  type EventFilter,
  type EventPublisher,
  type GlobalPosition,
  type PostgresEventStore,
} from '@evalvault/platform';
import { BenchError, timed, type Figure } from './bench-support.js';

/** The category's own events per relay, and how many times that the foreign history between holds. */
const OWN = 1_000;
const FOREIGN_FACTOR = 10;
const STREAM_SIZE = 100;
const RELAY_BATCH = 500;

export interface CategoryRelayResult {
  figure: Figure;
  /** What the relay's first page read in PostgreSQL (EXPLAIN ANALYZE) with the foreign history in place. */
  scan: { index: string; rowsRead: number; rowsReturned: number };
  foreign: number;
}

interface Parts {
  pool: pg.Pool;
  store: PostgresEventStore;
  publisher: EventPublisher;
  registry: Registry;
  /** Unique to this run, so the category holds this run's events only: a minority of any store. */
  runTag: string;
  tenant: string;
}

/**
 * Issue 25's category index: a relay whose filter names a category that is a minority of the log
 * (here a category of this run's own) reads only that category's rows. The same relay publishes
 * OWN events twice: once with nothing else after its start, once with FOREIGN_FACTOR × OWN events
 * of another category (`run-…`) appended among them. "baseline" is the first, "store" the second:
 * a ratio near 1 says the foreign history cost the relay nothing. EXPLAIN ANALYZE of the relay's
 * first page then shows the rows PostgreSQL read for the rows it returned.
 */
export async function categoryRelay(parts: Parts): Promise<CategoryRelayResult> {
  const category = `relaycat${parts.runTag}`;
  const filter: EventFilter = { streamPrefixes: [`${category}-`] };
  let streams = 0;
  const appendStreams = async (prefix: string, count: number): Promise<void> => {
    for (let appended = 0; appended < count; appended += STREAM_SIZE) {
      const streamId = `${prefix}-${streams++}`;
      const events: EvalVaultEvent[] = Array.from({ length: STREAM_SIZE }, (_, index) =>
        runStarted(streamId, parts.tenant, index),
      );
      await parts.store.append(streamId, events, 'no_stream');
    }
  };
  const relayFrom = async (name: string, from: GlobalPosition): Promise<number> => {
    const relay = new EventRelay(parts.store, parts.publisher, new PostgresCheckpointStore(parts.pool), {
      name,
      filter,
      startWhenNew: async () => from,
      batchSize: RELAY_BATCH,
      logger: pino({ level: 'silent' }),
      registry: parts.registry,
    });
    const ms = await timed(async () => {
      await relay.start();
      // caughtUp answers once a read comes back short; in the shared test database another session's open
      // transaction can hide committed events until it ends (reads stop below the oldest one): read again.
      for (let tries = 0; (await publishedBy(parts.registry, name)) < OWN && tries < 200; tries++)
        await relay.caughtUp();
    });
    await relay.stop();
    return ms;
  };

  const alone = await parts.store.headPosition();
  await appendStreams(category, OWN);
  const baselineMs = await relayFrom(`bench-cat-alone-${parts.runTag}`, alone);
  const mixed = await parts.store.headPosition();
  // Foreign events first and between: half of the own events sit after all of them.
  await appendStreams(`run-benchforeign${parts.runTag}`, (FOREIGN_FACTOR * OWN) / 2);
  await appendStreams(category, OWN / 2);
  await appendStreams(`run-benchforeign${parts.runTag}`, (FOREIGN_FACTOR * OWN) / 2);
  await appendStreams(category, OWN / 2);
  const storeMs = await relayFrom(`bench-cat-mixed-${parts.runTag}`, mixed);
  await checkPublished(parts.registry, parts.runTag);
  const scan = await explainFirstPage(parts.pool, mixed, filter);
  return {
    figure: {
      key: 'relay_category_minority',
      label: `relay of a minority category, ${FOREIGN_FACTOR}× foreign`,
      events: OWN,
      storeMs,
      baselineMs,
    },
    scan,
    foreign: FOREIGN_FACTOR * OWN,
  };
}

async function publishedBy(registry: Registry, relay: string): Promise<number> {
  const published = registry.getSingleMetric('relay_events_published_total') as Counter<'relay'> | undefined;
  const values = published ? (await published.get()).values : [];
  return values.find((value) => value.labels.relay === relay)?.value ?? 0;
}

async function checkPublished(registry: Registry, runTag: string): Promise<void> {
  for (const name of [`bench-cat-alone-${runTag}`, `bench-cat-mixed-${runTag}`]) {
    const count = await publishedBy(registry, name);
    if (count !== OWN) throw new BenchError(`relay ${name} published ${count} events, expected ${OWN}`);
  }
}

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

/** The scan node of the relay's first page: its index and the rows it read (returned + removed by its filter). */
async function explainFirstPage(
  pool: pg.Pool,
  from: GlobalPosition,
  filter: EventFilter,
): Promise<CategoryRelayResult['scan']> {
  const { text, values } = readAllQuery(from, { maxCount: RELAY_BATCH, filter });
  const { rows } = await pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
    `EXPLAIN (ANALYZE, FORMAT JSON) ${text}`,
    values,
  );
  const indexes: string[] = [];
  const scans: PlanNode[] = [];
  const walk = (node: PlanNode): void => {
    if (node['Index Name']) indexes.push(node['Index Name']);
    // A bitmap's index scan only finds heap pages; its heap scan reads (and filters) the rows.
    if (node['Node Type'].includes('Scan') && node['Node Type'] !== 'Bitmap Index Scan') scans.push(node);
    node.Plans?.forEach(walk);
  };
  walk(rows[0]!['QUERY PLAN'][0].Plan);
  const rowsOf = (node: PlanNode): number => (node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 1);
  return {
    index: indexes.join(' + ') || 'none (sequential scan)',
    rowsRead: scans.reduce((sum, node) => sum + rowsOf(node) + (node['Rows Removed by Filter'] ?? 0), 0),
    rowsReturned: scans.reduce((sum, node) => sum + rowsOf(node), 0),
  };
}
