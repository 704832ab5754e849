import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import type { EvalVaultEvent } from '@evalvault/contracts';

/** A failure of the benchmark's set-up (servers, schema): printed as is, exit code 1. */
export class BenchError extends Error {}

/**
 * Runs the idempotent set-up scripts from the repository root; a failure names the script and shows its output.
 * Answers whether it started the Kafka broker (none answered): the caller stops it when done (`stopKafka`).
 */
export function ensureServers(root: string): { startedKafka: boolean } {
  const startedKafka = !kafkaAnswers(root);
  const scripts: [string, ...string[]][] = [['infra/postgres/setup.sh'], ['infra/kafka/kafka.sh', 'start']];
  for (const [script, ...args] of scripts) runScript(root, script, args);
  return { startedKafka };
}

/** Stops the broker this benchmark started: one that was already running belongs to someone else. */
export function stopKafka(root: string): void {
  runScript(root, 'infra/kafka/kafka.sh', ['stop']);
}

function kafkaAnswers(root: string): boolean {
  try {
    execFileSync('bash', ['infra/kafka/kafka.sh', 'status'], { cwd: root, stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

function runScript(root: string, script: string, args: string[]): void {
  const command = ['bash', script, ...args].join(' ');
  try {
    execFileSync('bash', [script, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    const lines = `${stdout?.toString() ?? ''}${stderr?.toString() ?? ''}`.trim().split('\n');
    // The script's own messages say what went wrong.
    const own = lines.filter((line) => /^\[(kafka|postgres)\]/.test(line));
    const output = [...own.slice(-5), ...lines.slice(-5).filter((line) => !own.includes(line))].join('\n');
    throw new BenchError(
      `\`${command}\` failed (${(error as Error).message.split('\n')[0]})${output ? `:\n${output}` : ''}`,
    );
  }
}

/** Milliseconds `work` took. */
export async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

export interface Pair {
  storeMs: number;
  baselineMs: number;
}

/**
 * Times two halves of each side in the order baseline, store, store, baseline (ABBA),
 * so a drift of the machine during the measurement (autovacuum, a checkpoint, a
 * warmer cache) weighs on both sides alike.
 */
export async function abba(
  baseline: (half: 0 | 1) => Promise<unknown>,
  store: (half: 0 | 1) => Promise<unknown>,
): Promise<Pair> {
  const b0 = await timed(() => baseline(0));
  const s0 = await timed(() => store(0));
  const s1 = await timed(() => store(1));
  const b1 = await timed(() => baseline(1));
  return { storeMs: s0 + s1, baselineMs: b0 + b1 };
}

/** The items of half 0 or 1 of a list (for abba). */
export function half<T>(items: readonly T[], which: 0 | 1): readonly T[] {
  const middle = Math.floor(items.length / 2);
  return which === 0 ? items.slice(0, middle) : items.slice(middle);
}

/** Runs `work` over the items with `workers` concurrent loops taking the next item from a shared cursor. */
export async function concurrently<T>(
  items: readonly T[],
  workers: number,
  work: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const loop = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: workers }, loop));
}

/** Splits a list into chunks of `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let index = 0; index < items.length; index += size) result.push(items.slice(index, index + size));
  return result;
}

/** One row of the raw table: the same values the store writes for an event at a revision of its stream. */
export interface RawRow {
  event: EvalVaultEvent;
  revision: number;
  data: Buffer;
}

const COLUMNS = 'stream_id, revision, event_id, event_type, tenant_id, project_id, occurred_at, data';
const ROW_PARAMS = 8;

function values(row: RawRow): unknown[] {
  const { event } = row;
  return [
    event.streamId,
    row.revision,
    event.eventId,
    event.type,
    event.tenantId,
    event.projectId,
    event.occurredAt,
    row.data,
  ];
}

function placeholders(rowIndex: number): string {
  const p = (column: number): string => `$${rowIndex * ROW_PARAMS + column}`;
  return `(${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, to_timestamp(${p(7)}::bigint / 1000.0), ${p(8)})`;
}

/**
 * The baseline: a scratch copy of eventstore.events (same columns, defaults, indexes
 * and constraints) written and read with plain SQL, no stream bookkeeping.
 */
export class RawTable {
  readonly name: string;
  private readonly multiRowSql = new Map<number, string>();

  constructor(
    private readonly pool: pg.Pool,
    suffix: string,
  ) {
    this.name = `eventstore.bench_raw_${suffix}`;
  }

  /** Creates the table; LIKE … INCLUDING ALL would share events' bigserial sequence, so it gets its own. */
  async create(): Promise<void> {
    const sequence = `${this.name}_sequence_seq`;
    await this.pool.query(`CREATE TABLE ${this.name} (LIKE eventstore.events INCLUDING ALL)`);
    await this.pool.query(`CREATE SEQUENCE ${sequence} OWNED BY ${this.name}.sequence`);
    await this.pool.query(`ALTER TABLE ${this.name} ALTER COLUMN sequence SET DEFAULT nextval('${sequence}')`);
    const check = await this.pool.query<{ default: string; indexes: number; expected: number }>(
      `SELECT pg_get_expr(d.adbin, d.adrelid) AS default,
              (SELECT count(*)::int FROM pg_index WHERE indrelid = $1::regclass) AS indexes,
              (SELECT count(*)::int FROM pg_index WHERE indrelid = 'eventstore.events'::regclass) AS expected
         FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
        WHERE d.adrelid = $1::regclass AND a.attname = 'sequence'`,
      [this.name],
    );
    const row = check.rows[0];
    if (!row?.default.includes(sequence.replace('eventstore.', '')) || row.indexes !== row.expected) {
      throw new BenchError(
        `scratch table ${this.name} is not a faithful copy: ` +
          `sequence default ${row?.default}, ${row?.indexes} of ${row?.expected} indexes`,
      );
    }
  }

  async drop(): Promise<void> {
    await this.pool.query(`DROP TABLE IF EXISTS ${this.name}`);
  }

  /** One single-row INSERT in its own autocommit statement. */
  async insertOne(row: RawRow): Promise<void> {
    await this.pool.query(`INSERT INTO ${this.name} (${COLUMNS}) VALUES ${placeholders(0)}`, values(row));
  }

  /** One multi-row INSERT … VALUES (…), (…) statement. */
  async insertMany(rows: readonly RawRow[]): Promise<void> {
    let sql = this.multiRowSql.get(rows.length);
    if (!sql) {
      sql = `INSERT INTO ${this.name} (${COLUMNS}) VALUES ${rows.map((_, index) => placeholders(index)).join(', ')}`;
      this.multiRowSql.set(rows.length, sql);
    }
    await this.pool.query(sql, rows.flatMap(values));
  }

  /** Reads the whole table in keyset pages of `pageSize`, in global order; returns the row count. */
  async readAll(pageSize: number): Promise<number> {
    // Output names differ from the columns: ORDER BY a name of the select list would sort its text.
    let after = { c: '0', s: '0' };
    let count = 0;
    for (;;) {
      const page = await this.pool.query<{ c: string; s: string; data: Buffer }>(
        `SELECT commit_id::text AS c, sequence::text AS s, data FROM ${this.name}
          WHERE (commit_id, sequence) > ($1::text::xid8, $2::bigint)
          ORDER BY commit_id, sequence LIMIT $3`,
        [after.c, after.s, pageSize],
      );
      count += page.rows.length;
      const last = page.rows.at(-1);
      if (!last || page.rows.length < pageSize) return count;
      after = last;
    }
  }
}

export interface Figure {
  key: string;
  label: string;
  events: number;
  storeMs: number;
  baselineMs: number;
}

const rate = (events: number, ms: number): number => (events * 1000) / ms;

/** The human table (stdout), then one machine-readable BENCH_JSON line per figure. */
export function report(header: string, figures: readonly Figure[]): void {
  const lines = [
    header,
    `${'path'.padEnd(34)}${'events'.padStart(8)}${'store ev/s'.padStart(14)}${'baseline ev/s'.padStart(16)}` +
      '   ratio (store/baseline)',
    ...figures.map((figure) => {
      const store = rate(figure.events, figure.storeMs);
      const baseline = rate(figure.events, figure.baselineMs);
      return (
        `${figure.label.padEnd(34)}${String(figure.events).padStart(8)}` +
        `${Math.round(store).toLocaleString('en-US').padStart(14)}` +
        `${Math.round(baseline).toLocaleString('en-US').padStart(16)}   ${(store / baseline).toFixed(2).padStart(8)}`
      );
    }),
  ];
  console.log(lines.join('\n'));
  for (const figure of figures) {
    const store = rate(figure.events, figure.storeMs);
    const baseline = rate(figure.events, figure.baselineMs);
    console.log(
      `BENCH_JSON ${JSON.stringify({
        path: figure.key,
        events: figure.events,
        store_ev_per_s: Math.round(store),
        baseline_ev_per_s: Math.round(baseline),
        ratio: Number((store / baseline).toFixed(3)),
        store_ms: Number(figure.storeMs.toFixed(1)),
        baseline_ms: Number(figure.baselineMs.toFixed(1)),
      })}`,
    );
  }
}
