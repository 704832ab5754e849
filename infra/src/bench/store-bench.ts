import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Message, Producer } from 'kafkajs';
import pg from 'pg';
import { pino } from 'pino';
import { Counter, Registry } from 'prom-client';
import { EventCodec, topicOf, type EvalVaultEvent } from '@evalvault/contracts';
import { runStarted } from '@evalvault/contracts/testing';
import {
  busMetrics,
  createKafka,
  eventHeaders,
  EventRelay,
  KafkaEventClient,
  migrateEventStore,
  PostgresCheckpointStore,
  PostgresEventStore,
  START,
  type EventFilter,
  type GlobalPosition,
} from '@evalvault/platform';
import { testDatabaseUrl, testKafkaSettings } from '@evalvault/platform/testing';
import {
  abba,
  BenchError,
  chunks,
  concurrently,
  ensureServers,
  half,
  RawTable,
  report,
  stopKafka,
  timed,
  type Figure,
  type Pair,
  type RawRow,
} from './bench-support.js';
import { categoryRelay } from './category-relay.js';

/**
 * `npm run bench:store`: throughput of the PostgreSQL event store and of the relay to
 * Kafka, each against a baseline of plain SQL / a plain kafkajs producer measured in
 * the same run. Fixed event counts; prints figures, never fails on a time.
 */
const SINGLE = 2_000;
const BATCHED = 10_000;
const BATCH = 100;
const CONCURRENT = 2_000;
const WRITERS = 4;
const POOL_SIZE = 8;
const PAGE = 1_000;
const READ_ROUNDS = 5;
const RELAY_BATCH = 500;
const WARMUP = 100;

const progress = (message: string): void => console.error(`[bench:store] ${message}`);

class Bench {
  readonly runId = randomUUID();
  readonly prefix = `run-bench-${this.runId}-`;
  readonly tenant = `tenant-bench-${this.runId}`;
  readonly codec = new EventCodec();
  /** The log's head before this run appended: where its relays start, as from a checkpoint (not the whole log). */
  head: GlobalPosition = START;
  /** Every event appended to the store in this run, also written to the raw table. */
  readonly appended: EvalVaultEvent[] = [];

  constructor(
    readonly pool: pg.Pool,
    readonly store: PostgresEventStore,
    readonly raw: RawTable,
  ) {}

  /** `count` events of the same size, each on a stream of its own (`tag` keeps the streams of one path apart). */
  singles(tag: string, count: number): EvalVaultEvent[] {
    return Array.from({ length: count }, (_, index) => runStarted(`${this.prefix}${tag}-${index}`, this.tenant, index));
  }

  /** `calls` lists of `size` events, each list on one stream. */
  batches(tag: string, calls: number, size: number): EvalVaultEvent[][] {
    return Array.from({ length: calls }, (_, call) =>
      Array.from({ length: size }, (_, index) => runStarted(`${this.prefix}${tag}-${call}`, this.tenant, index)),
    );
  }

  /** The raw rows of events at revisions 0, 1, … of their stream, encoded before any timing. */
  rows(events: readonly EvalVaultEvent[]): RawRow[] {
    return events.map((event, index) => ({ event, revision: index, data: this.codec.encode(event) }));
  }

  async append(events: readonly EvalVaultEvent[]): Promise<void> {
    await this.store.append(events[0]!.streamId, events, 'no_stream');
    this.appended.push(...events);
  }
}

async function appendSingle(bench: Bench, tag: string, count: number, workers: number): Promise<Figure> {
  const warm = bench.singles(`${tag}w`, WARMUP);
  await concurrently(warm, workers, async (event) => {
    await bench.raw.insertOne(bench.rows([event])[0]!);
    await bench.append([event]);
  });
  const events = bench.singles(tag, count);
  const rows = new Map(events.map((event) => [event, bench.rows([event])[0]!]));
  const pair = await abba(
    (which) => concurrently(half(events, which), workers, (event) => bench.raw.insertOne(rows.get(event)!)),
    (which) => concurrently(half(events, which), workers, (event) => bench.append([event])),
  );
  return workers === 1
    ? { key: 'append_single', label: 'append, 1 event/call', events: count, ...pair }
    : { key: 'append_concurrent', label: `append, ${workers} writers (pool ${POOL_SIZE})`, events: count, ...pair };
}

async function appendBatched(bench: Bench): Promise<Figure> {
  for (const batch of bench.batches('bw', WARMUP / 10, BATCH)) {
    await bench.raw.insertMany(bench.rows(batch));
    await bench.append(batch);
  }
  const batches = bench.batches('b', BATCHED / BATCH, BATCH);
  const rows = new Map(batches.map((batch) => [batch, bench.rows(batch)]));
  const pair = await abba(
    async (which) => {
      for (const batch of half(batches, which)) await bench.raw.insertMany(rows.get(batch)!);
    },
    async (which) => {
      for (const batch of half(batches, which)) await bench.append(batch);
    },
  );
  return { key: 'append_batched', label: `append, ${BATCH} events/call`, events: BATCHED, ...pair };
}

async function readAll(bench: Bench): Promise<Figure[]> {
  // This run's events by their tenant (indexed in global order), as the raw table holds just them; a stream
  // prefix finer than a category would walk the other runs' rows in the store too.
  const filter: EventFilter = { tenantId: bench.tenant };
  const readStore = async (seen?: Set<string>): Promise<number> => {
    let count = 0;
    for (let from = START; ; ) {
      const page = await bench.store.readAll(from, { maxCount: PAGE, filter });
      count += page.length;
      // Decoding is lazy: only the checking read and the decoded figure pay for it.
      page.forEach((recorded) => seen?.add(recorded.event.eventId));
      if (page.length < PAGE) return count;
      from = page.at(-1)!.position;
    }
  };
  // Untimed first reads: warm-up, and a check that both sides read exactly this run's events.
  const expected = bench.appended.length;
  const seen = new Set<string>();
  const counts = { store: await readStore(seen), raw: await bench.raw.readAll(PAGE) };
  const missing = bench.appended.filter((event) => !seen.has(event.eventId)).length;
  if (counts.store !== expected || missing > 0 || counts.raw !== expected) {
    const repeated = counts.store - seen.size;
    const hint =
      repeated > 0 || counts.store >= expected
        ? 'readAll repeats or skips events where its ORDER BY disagrees with its keyset'
        : 'is a transaction older than this run still open? (readAll stops below pg_snapshot_xmin)';
    throw new BenchError(
      `readAll returned ${counts.store} events (${repeated} repeated, ${missing} missing) ` +
        `and the raw table ${counts.raw}, expected ${expected}: ${hint}`,
    );
  }
  // Each half reads everything, READ_ROUNDS times: one read takes a tenth of a second, short enough for
  // a neighbour's burst on a shared machine to swing a single ABBA.
  const rounds = async (store: () => Promise<unknown>): Promise<Pair> => {
    const total: Pair = { storeMs: 0, baselineMs: 0 };
    for (let round = 0; round < READ_ROUNDS; round++) {
      const pair = await abba(() => bench.raw.readAll(PAGE), store);
      total.storeMs += pair.storeMs;
      total.baselineMs += pair.baselineMs;
    }
    return total;
  };
  const pair = await rounds(() => readStore());
  const decoded = await rounds(() => readStore(new Set()));
  const figure = (key: string, label: string, { storeMs, baselineMs }: Pair): Figure => ({
    key,
    label,
    events: expected,
    storeMs: storeMs / (2 * READ_ROUNDS),
    baselineMs: baselineMs / (2 * READ_ROUNDS),
  });
  return [
    figure('read_all', `readAll, pages of ${PAGE}`, pair),
    figure('read_all_decoded', `readAll + decode, pages of ${PAGE}`, decoded),
  ];
}

async function relay(bench: Bench, client: KafkaEventClient, producer: Producer, registry: Registry): Promise<Figure> {
  const logger = pino({ level: 'silent' });
  const checkpoints = new PostgresCheckpointStore(bench.pool);
  const run = async (name: string, filter: EventFilter): Promise<void> => {
    const relay = new EventRelay(bench.store, client, checkpoints, {
      name,
      filter,
      startWhenNew: async () => bench.head,
      batchSize: RELAY_BATCH,
      logger,
      registry,
    });
    try {
      await relay.start();
      await Promise.race([
        relay.caughtUp(),
        relay.failure.then((error) => {
          throw new BenchError(`relay failed: ${error.message}`);
        }),
      ]);
    } finally {
      await relay.stop();
    }
  };
  const topic = topicOf('RunStarted');
  const messages: Message[] = bench.appended.map((event) => ({
    key: event.streamId,
    value: bench.codec.encode(event),
    headers: eventHeaders(event),
  }));
  const send = async (batch: Message[]): Promise<void> => {
    await producer.sendBatch({ topicMessages: [{ topic, messages: batch }], acks: -1 });
  };
  const sendAll = async (): Promise<void> => {
    for (const batch of chunks(messages, RELAY_BATCH)) await send(batch);
  };

  // The first path's warm-up streams.
  await run(`bench-${bench.runId}-warmup`, { streamPrefixes: [`${bench.prefix}sw-`] });
  await send(messages.slice(0, WARMUP));
  const name = `bench-${bench.runId}`;
  const before = await timed(sendAll);
  const storeMs = await timed(() => run(name, { streamPrefixes: [bench.prefix] }));
  const after = await timed(sendAll);
  const published = registry.getSingleMetric('relay_events_published_total') as Counter<'relay'>;
  const count = (await published.get()).values.find((value) => value.labels.relay === name)?.value ?? 0;
  if (count !== messages.length)
    throw new BenchError(`the relay published ${count} events, expected ${messages.length}`);
  return {
    key: 'relay_kafka',
    label: `relay to Kafka, batches of ${RELAY_BATCH}`,
    events: messages.length,
    storeMs,
    baselineMs: (before + after) / 2,
  };
}

async function connected<T>(what: string, attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    throw new BenchError(`cannot reach ${what}: ${(error as Error).message}`);
  }
}

async function main(): Promise<void> {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  progress('ensuring PostgreSQL (infra/postgres/setup.sh) and Kafka (infra/kafka/kafka.sh start)');
  const { startedKafka } = ensureServers(root);
  try {
    await measure();
  } finally {
    if (startedKafka) {
      progress('stopping the Kafka broker this benchmark started');
      stopKafka(root);
    }
  }
}

async function measure(): Promise<void> {
  const url = testDatabaseUrl();
  const where = url.replace(/\/\/[^@/]*@/, '//');
  await connected(`PostgreSQL at ${where} (migrating the event store)`, () => migrateEventStore(url));

  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, connectionTimeoutMillis: 5_000 });
  pool.on('error', (error) => progress(`idle PostgreSQL connection failed: ${error.message}`));
  const settings = testKafkaSettings('evalvault-bench-store');
  const kafka = createKafka(settings);
  const registry = new Registry();
  const store = new PostgresEventStore(pool, new EventCodec(), { pollIntervalMs: 50 });
  const client = new KafkaEventClient(kafka, busMetrics(registry));
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false });
  let raw: RawTable | undefined;
  try {
    const version = await connected(`PostgreSQL at ${where}`, () =>
      pool.query<{ server_version: string }>('SHOW server_version'),
    );
    const existing = await pool.query<{ count: string }>('SELECT count(*)::text AS count FROM eventstore.events');
    await connected(`Kafka at ${settings.brokers.join(',')}`, async () => {
      await producer.connect();
      await client.connect();
    });
    const bench = new Bench(pool, store, new RawTable(pool, randomUUID().replaceAll('-', '').slice(0, 12)));
    raw = bench.raw;
    await raw.create();
    bench.head = await store.headPosition();

    const figures: Figure[] = [];
    progress(`append, 1 event/call: ${SINGLE} events`);
    figures.push(await appendSingle(bench, 's', SINGLE, 1));
    progress(`append, ${BATCH} events/call: ${BATCHED} events`);
    figures.push(await appendBatched(bench));
    progress(`append, ${WRITERS} concurrent writers: ${CONCURRENT} events`);
    figures.push(await appendSingle(bench, 'c', CONCURRENT, WRITERS));
    progress(`readAll: ${bench.appended.length} events`);
    figures.push(...(await readAll(bench)));
    progress(`relay to Kafka: ${bench.appended.length} events`);
    figures.push(await relay(bench, client, producer, registry));
    progress('relay of a minority category, with and without 10x foreign history');
    const runTag = bench.runId.replaceAll('-', '').slice(0, 12);
    const category = await categoryRelay({ pool, store, publisher: client, registry, runTag, tenant: bench.tenant });
    figures.push(category.figure);

    const pgVersion = version.rows[0]!.server_version.split(' ')[0];
    report(
      `bench:store  (PostgreSQL ${pgVersion}, Kafka ${settings.brokers.join(',')}, ` +
        `node ${process.version}, ${availableParallelism()} cores)\n` +
        `(eventstore.events held ${Number(existing.rows[0]!.count).toLocaleString('en-US')} rows before this run; ` +
        `baselines: raw SQL on ${raw.name}, a plain idempotent kafkajs producer)`,
      figures,
    );
    const { scan } = category;
    console.log(
      `category relay's first read, ${category.foreign.toLocaleString('en-US')} foreign events after its start ` +
        `(EXPLAIN ANALYZE): ${scan.index}; the scan read ${scan.rowsRead} rows and kept ${scan.rowsReturned}`,
    );
    console.log(`BENCH_JSON ${JSON.stringify({ path: 'relay_category_scan', ...scan })}`);
    await pool.query('DELETE FROM eventstore.checkpoints WHERE name LIKE $1', [`relay:bench-${bench.runId}%`]);
    await pool.query('DELETE FROM eventstore.checkpoints WHERE name LIKE $1', [`relay:bench-cat-%${runTag}`]);
  } finally {
    await client.close().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await store.close().catch(() => undefined);
    await raw?.drop().catch((error: Error) => progress(`could not drop ${raw?.name}: ${error.message}`));
    await pool.end().catch(() => undefined);
  }
}

main().catch((error: unknown) => {
  const message = error instanceof BenchError ? error.message : ((error as Error).stack ?? String(error));
  console.error(`bench:store failed: ${message}`);
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 10_000).unref(); // a half-open connection must not keep a failed run alive
});
