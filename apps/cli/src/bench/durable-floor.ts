import { performance } from 'node:perf_hooks';
import type { Admin, Kafka, Message } from 'kafkajs';
import type pg from 'pg';
import { BenchError, progress } from './bench-progress.js';

const INSERT_BATCH = 100;
/** Producer requests of at most this many bytes: a record batch per partition stays under the broker's 1 MB limit. */
const PRODUCE_BYTES = 900_000;
const FLOOR_COLUMNS = [
  'stream_id',
  'revision',
  'event_id',
  'event_type',
  'tenant_id',
  'project_id',
  'occurred_at',
  'data',
] as const satisfies readonly (keyof FloorRow)[];

interface FloorRow {
  stream_id: string;
  revision: string;
  event_id: string;
  event_type: string;
  tenant_id: string;
  project_id: string;
  occurred_at: Date;
  data: Buffer;
}

export interface Floor {
  events: number;
  bytes: number;
  /** Multi-row INSERT … VALUES: the floor's part in PostgreSQL. */
  insertMs: number;
  kafkaMs: number;
  /**
   * The same rows as the event store sends them (INSERT … SELECT FROM unnest(arrays)): not in the floor,
   * for comparison.
   */
  unnestMs: number;
}

/**
 * The durable floor of part (b): a run's CaseBatchScheduled and CaseEvaluated events (the same rows,
 * the same bytes) written with multi-row INSERTs of 100 rows into a scratch copy of eventstore.events,
 * plus produced to and consumed from a fresh scratch topic with plain kafkajs: what any platform
 * storing and publishing those events durably must spend at least.
 */
export class DurableFloor {
  readonly table: string;
  /** Scratch topics, one per measurement (a fresh topic read from its beginning). */
  readonly topics: string[] = [];

  constructor(
    readonly tag: string,
    readonly pool: pg.Pool,
    readonly kafka: Kafka,
    readonly admin: Admin,
    /** The bench's consumer groups, deleted at its end: the floor adds its own. */
    readonly groups: string[],
  ) {
    this.table = `eventstore.bench_runs_floor_${tag}`;
  }

  /** The scratch table (in the scratch database, dropped with it). */
  async createTable(): Promise<void> {
    // Like the store benchmark's raw table: the same columns, defaults, indexes and constraints, its own sequence.
    await this.pool.query(`CREATE TABLE ${this.table} (LIKE eventstore.events INCLUDING ALL)`);
    await this.pool.query(`CREATE SEQUENCE ${this.table}_sequence_seq OWNED BY ${this.table}.sequence`);
    await this.pool.query(
      `ALTER TABLE ${this.table} ALTER COLUMN sequence SET DEFAULT nextval('${this.table}_sequence_seq')`,
    );
  }

  /**
   * The run's case batch and CaseEvaluated events, as stored: written raw to the scratch table, then through
   * the scratch topic.
   */
  async measure(streams: readonly string[]): Promise<Floor> {
    const { rows } = await this.pool.query<FloorRow>(
      `SELECT stream_id, revision::text AS revision, event_id::text AS event_id, event_type, tenant_id, project_id,
              occurred_at, data
         FROM eventstore.events
        WHERE stream_id = ANY($1::text[]) AND event_type IN ('CaseBatchScheduled', 'CaseEvaluated')
        ORDER BY commit_id, sequence`,
      [[...streams]],
    );
    // The floor: multi-row INSERT … VALUES, every value its own parameter (bytea in binary).
    await this.pool.query(`TRUNCATE ${this.table}`);
    const insertStarted = performance.now();
    for (let index = 0; index < rows.length; index += INSERT_BATCH) {
      const chunk = rows.slice(index, index + INSERT_BATCH);
      const width = FLOOR_COLUMNS.length;
      const tuples = chunk.map(
        (_, row) => `(${FLOOR_COLUMNS.map((_, column) => `$${row * width + column + 1}`).join(', ')})`,
      );
      await this.pool.query(
        `INSERT INTO ${this.table} (${FLOOR_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`,
        chunk.flatMap((row) => FLOOR_COLUMNS.map((column) => row[column])),
      );
    }
    const insertMs = performance.now() - insertStarted;
    const kafkaMs = await this.throughTopic(rows.map((r) => ({ key: r.stream_id, value: r.data })));
    // Then, outside the floor, as the event store sends rows: unnest of arrays (node-postgres sends
    // an array parameter as a text literal, each bytea in hex).
    await this.pool.query(`TRUNCATE ${this.table}`);
    const unnestStarted = performance.now();
    for (let index = 0; index < rows.length; index += INSERT_BATCH) {
      const chunk = rows.slice(index, index + INSERT_BATCH);
      await this.pool.query(
        `INSERT INTO ${this.table} (${FLOOR_COLUMNS.join(', ')})
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[], $5::text[], $6::text[],
                              $7::timestamptz[], $8::bytea[])`,
        FLOOR_COLUMNS.map((column) => chunk.map((row) => row[column])),
      );
    }
    const unnestMs = performance.now() - unnestStarted;
    const bytes = rows.reduce((sum, r) => sum + r.data.length, 0);
    return { events: rows.length, bytes, insertMs, kafkaMs, unnestMs };
  }

  /**
   * Produce (idempotent, acks all) to a fresh scratch topic with as many partitions as the runs topics, until
   * a consumer reading it from the beginning has received every message.
   */
  private async throughTopic(messages: Message[]): Promise<number> {
    const topic = `bench-runs-floor-${this.tag}-${this.topics.length + 1}`;
    await this.admin.createTopics({
      waitForLeaders: true,
      timeout: 30_000,
      topics: [{ topic, numPartitions: 6, replicationFactor: 1 }],
    });
    this.topics.push(topic);
    const groupId = topic;
    this.groups.push(groupId);
    const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false });
    const consumer = this.kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 200 });
    await producer.connect();
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
      let received = 0;
      let allReceived!: () => void;
      const done = new Promise<void>((resolve) => {
        allReceived = resolve;
      });
      await consumer.run({
        eachBatch: async ({ batch }) => {
          received += batch.messages.length;
          if (received >= messages.length) allReceived();
        },
      });
      await joined;
      const started = performance.now();
      const requests: Message[][] = [];
      let current: Message[] = [];
      let bytes = 0;
      for (const message of messages) {
        const size = (message.value as Buffer).length;
        if (current.length > 0 && bytes + size > PRODUCE_BYTES) {
          requests.push(current);
          current = [];
          bytes = 0;
        }
        current.push(message);
        bytes += size;
      }
      if (current.length > 0) requests.push(current);
      await Promise.all(requests.map((batch) => producer.send({ topic, messages: batch, acks: -1 })));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        done,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new BenchError(`the floor consumer received ${received} of ${messages.length} messages`)),
            120_000,
          );
        }),
      ]).finally(() => clearTimeout(timer));
      return performance.now() - started;
    } finally {
      await consumer.disconnect().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
    }
  }

  /** The scratch topics (the table goes with the scratch database). */
  async deleteTopics(): Promise<void> {
    if (this.topics.length > 0)
      await this.admin.deleteTopics({ topics: this.topics }).catch((error: Error) => {
        progress(`could not delete topics ${this.topics.join(', ')}: ${error.message}`);
      });
  }
}
