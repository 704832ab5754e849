import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Admin, Kafka, Message } from 'kafkajs';
import pg from 'pg';
import { evaluatedCases, EventCodec, type RunCompleted } from '@evalvault/contracts';
import { createKafka, HttpServiceClient, InternalIdentitySigner, PostgresEventStore } from '@evalvault/platform';
import type { InternalIdentity } from '@evalvault/platform';
import {
  startServiceProcess,
  stopRunsProcess,
  testDatabaseUrl,
  testKafkaSettings,
  type RunsProcess,
} from '@evalvault/platform/testing';
import type { RunsOperations } from '@evalvault/service-apis';
import { summarizeCpuProfile } from './cpu-profile.js';

/**
 * `npm run bench:runs`, part (b): the same deterministic cases through the distributed runs
 * service on the local PostgreSQL and Kafka, as operators run it: one runs process with the
 * planner, the relay and the read model, and 1 then 2 worker processes (built `dist`, started as
 * the end-to-end tests start them, with consumer groups, relay and checkpoint of this run alone,
 * new groups starting at the end of the shared topics). The store is a scratch database of this
 * run (dropped at the end), not the shared test database: there, the planners and workers of
 * end-to-end tests running at the same time would also plan and score the benchmark's runs
 * (their relays publish every run of the store). Runs of other stores reaching the shared topics
 * are ignored ("not in our store"). The dataset is a registered version in a dataset directory
 * (EVALVAULT_DATASET_DIR); the run is submitted through the runs internal API with a signed
 * identity, as the gateway does. Timed: submit → RunCompleted in the store. Each phase first
 * scores an untimed warm-up run.
 *
 * The baseline, measured after each timed run on that run's own events (platform and floor
 * alternate): the durable floor, i.e. the run's CaseBatchScheduled and CaseEvaluated events (the
 * same rows, the same bytes) written with multi-row INSERTs of 100 rows into a scratch copy of
 * eventstore.events, plus produced to and consumed from a fresh scratch topic (6 partitions, as the
 * runs topics) with plain kafkajs. Also timed, outside the floor: the same INSERTs as the event
 * store sends them (unnest of arrays). Prints figures, never fails on a time. Also printed: each
 * process's CPU seconds during a run, the machine's, and when the run's last batch was scheduled.
 *
 * BENCH_RUNS_PROFILE=<dir> runs every runs process under `node --cpu-prof` (profiles in <dir>)
 * and prints each worker's and the planner's top self time.
 */
export interface DistributedRunsBenchOptions {
  /** The cases as JSONL (the file part (a) scores). */
  datasetPath: string;
  cases: number;
  metrics: readonly string[];
  root: string;
}

const WARMUP_CASES = 1_000;
const RUN_TIMEOUT_MS = 10 * 60_000;
const POLL_MS = 20;
const INSERT_BATCH = 100;
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
/** Producer requests of at most this many bytes: a record batch per partition stays under the broker's 1 MB limit. */
const PRODUCE_BYTES = 900_000;
const TARGET_CASES_PER_S = 5_000;
const TARGET_FLOOR_RATIO = 3;
const DATASET_ID = 'bench-runs';
/** USER_HZ of /proc/<pid>/stat: 100 on Linux. */
const CLOCK_TICKS = 100;
/** The superuser infra/postgres/setup.sh creates databases as (PGADMIN_USER). */
const ADMIN_USER = process.env['PGADMIN_USER'] || 'postgres';

const benchStarted = performance.now();
const progress = (message: string): void =>
  console.error(`[bench:runs b ${((performance.now() - benchStarted) / 1000).toFixed(1)} s] ${message}`);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

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

interface Floor {
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

interface Timed {
  runId: string;
  wallMs: number;
  readModelMs: number;
  /** CPU seconds each runs process spent from submit to RunCompleted, and how busy the whole machine was. */
  cpu: {
    planner: number | null;
    workers: (number | null)[];
    /** Every PostgreSQL process and the Kafka broker of the machine (other users' work on them included). */
    postgres: number | null;
    kafka: number | null;
    /** CPU seconds of the whole machine, and their share of all its cores' time. */
    machine: number | null;
    machineBusy: number | null;
  };
  /** When (ms after RunRequested was stored) the run started, its last batch was scheduled, and it completed. */
  timeline?: { started: number; lastScheduled: number; completed: number };
}

interface Phase {
  workers: number;
  runs: Timed[];
  floors: Floor[];
  workerPeakRssMb: (number | null)[];
  batchesPerWorker: number[];
  check: string;
}

class BenchError extends Error {}

/** Peak resident set of a live process (VmHWM), in MB; null where /proc is not there. */
function peakRssMb(pid: number | undefined): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a live process has used so far; null where /proc is not there. */
function cpuSeconds(pid: number | undefined): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // from field 3 (state) on
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** CPU seconds used so far by the PostgreSQL server's processes and the Kafka broker's JVM (read from /proc). */
function serverCpuSeconds(): { postgres: number; kafka: number | null } | null {
  try {
    let postgres = 0;
    for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue; // exited meanwhile
      }
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (comm === 'postgres') postgres += cpuSeconds(Number(entry)) ?? 0;
    }
    return { postgres, kafka: cpuSeconds(brokerPid()) };
  } catch {
    return null;
  }
}

/** The broker infra/kafka/kafka.sh started on 127.0.0.1:9092 (its pid file), not the other brokers a test may run. */
function brokerPid(): number | undefined {
  const cache = process.env['XDG_CACHE_HOME'] || join(process.env['HOME'] ?? '', '.cache');
  const instance =
    process.env['EVALVAULT_KAFKA_INSTANCE'] || process.env['EVALVAULT_KAFKA_HOME'] || join(cache, 'evalvault', 'kafka');
  try {
    return Number(readFileSync(join(instance, 'broker.pid'), 'utf8').trim());
  } catch {
    return undefined;
  }
}

/** Busy and total CPU time of the whole machine so far (/proc/stat), in ticks. */
function machineTicks(): { busy: number; total: number } | null {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = cpu.reduce((sum, ticks) => sum + ticks, 0);
    return { busy: total - cpu[3]! - (cpu[4] ?? 0), total }; // idle and iowait are not busy
  } catch {
    return null;
  }
}

class DistributedBench {
  /** Names this run's consumer groups, relay and checkpoint. */
  readonly prefix: string;
  readonly floorTable: string;
  /** Scratch topics of the floor, one per measurement (a fresh topic read from its beginning). */
  readonly floorTopics: string[] = [];
  /** Timed runs per phase (BENCH_RUNS_REPEAT, default 3): the medians are printed. */
  readonly repeat = Number(process.env['BENCH_RUNS_REPEAT'] || 3);
  readonly groups: string[] = [];
  readonly identity: InternalIdentity;
  private readonly secret = randomBytes(32).toString('base64url');
  private client!: HttpServiceClient<RunsOperations>;
  planner!: RunsProcess;

  constructor(
    readonly tag: string,
    readonly databaseUrl: string,
    readonly options: DistributedRunsBenchOptions,
    readonly pool: pg.Pool,
    readonly store: PostgresEventStore,
    readonly kafka: Kafka,
    readonly admin: Admin,
    readonly scratch: string,
    readonly profileDir: string | null,
  ) {
    this.prefix = `bench-runs-${tag}`;
    this.floorTable = `eventstore.bench_runs_floor_${tag}`;
    this.identity = {
      tenantId: `tenant-bench-runs-${tag}`,
      projectId: 'default',
      roles: ['editor'],
      actor: { subject: 'bench@example.com', authMethod: 'api_key', apiKeyId: null },
    };
  }

  /**
   * Environment of every runs process of this run: its own groups, relay and checkpoint; new groups start
   * at the end.
   */
  private env(role: string, groupPrefix: string): Record<string, string> {
    const env: Record<string, string> = {
      DATABASE_URL: this.databaseUrl,
      RUNS_CONSUMER_START: 'latest',
      RUNS_GROUP_PREFIX: groupPrefix,
      LOG_LEVEL: 'info',
    };
    if (this.profileDir) {
      const dir = join(this.profileDir, role);
      mkdirSync(dir, { recursive: true });
      env['NODE_OPTIONS'] = `${process.env['NODE_OPTIONS'] ?? ''} --cpu-prof --cpu-prof-dir=${dir}`.trim();
    }
    return env;
  }

  /** The planner, the relay and the read model in one process; the internal API the run is submitted to. */
  async startPlanner(): Promise<void> {
    const datasets = join(this.scratch, 'datasets');
    mkdirSync(join(datasets, DATASET_ID), { recursive: true });
    copyFileSync(this.options.datasetPath, join(datasets, DATASET_ID, '1.jsonl'));
    const lines = readFileSync(this.options.datasetPath, 'utf8').split('\n').slice(0, WARMUP_CASES);
    writeFileSync(join(datasets, DATASET_ID, '2.jsonl'), `${lines.join('\n')}\n`);
    this.groups.push(`${this.prefix}-planner`, `${this.prefix}-read-model`);
    this.planner = await startServiceProcess('runs', {
      ...this.env('planner', this.prefix),
      RUNS_ROLES: 'planner,relay,projection',
      RUNS_RELAY_NAME: this.prefix,
      RUNS_RELAY_START: 'latest',
      EVALVAULT_DATASET_DIR: datasets,
      EVALVAULT_INTERNAL_SECRET_REF: 'env:BENCH_RUNS_INTERNAL_SECRET',
      BENCH_RUNS_INTERNAL_SECRET: this.secret,
    });
    this.client = new HttpServiceClient<RunsOperations>({
      serviceName: 'runs',
      baseUrl: this.planner.url,
      signer: new InternalIdentitySigner({ secret: Buffer.from(this.secret, 'utf8') }),
      timeoutMs: 60_000,
    });
  }

  /**
   * Waits until the group has exactly `members` members and is stable (partitions assigned, no rebalance
   * under way).
   */
  private async groupStable(groupId: string, members: number): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { groups } = await this.admin.describeGroups([groupId]);
      const group = groups[0];
      if (group?.state === 'Stable' && group.members.length === members) return;
      if (Date.now() > deadline)
        throw new BenchError(`group ${groupId} not stable with ${members} members: ${group?.state}`);
      await sleep(200);
    }
  }

  /** Submits a run of the registered version and waits for its RunCompleted in the store, then for the read model. */
  private async run(version: number, cases: number, workers: readonly RunsProcess[] = []): Promise<Timed> {
    const pids = [this.planner, ...workers].map((p) => p.child.pid);
    const cpuBefore = pids.map(cpuSeconds);
    const serversBefore = serverCpuSeconds();
    const machineBefore = machineTicks();
    const started = performance.now();
    const { runId } = await this.client.call(
      'submitRun',
      {
        dataset: { id: DATASET_ID, version },
        metrics: [...this.options.metrics],
        gate: { rules: ['mean(token_f1) >= 0.1'] },
        labels: { bench: `runs-b-${this.tag}` },
      },
      this.identity,
    );
    const deadline = Date.now() + RUN_TIMEOUT_MS;
    for (;;) {
      const { rows } = await this.pool.query<{ event_type: string }>(
        `SELECT event_type FROM eventstore.events
          WHERE stream_id = $1 AND event_type IN ('RunCompleted', 'RunFailed', 'RunCancelled')`,
        [`run-${runId}`],
      );
      if (rows[0]?.event_type === 'RunCompleted') break;
      if (rows[0]) throw new BenchError(`run ${runId} ended with ${rows[0].event_type}`);
      if (Date.now() > deadline)
        throw new BenchError(`run ${runId} of ${cases} cases did not complete within ${RUN_TIMEOUT_MS / 1000} s`);
      await sleep(POLL_MS);
    }
    const wallMs = performance.now() - started;
    const machineAfter = machineTicks();
    const serversAfter = serverCpuSeconds();
    const [planner, ...workerCpu] = pids.map((pid, index) => {
      const after = cpuSeconds(pid);
      return after === null || cpuBefore[index] === null ? null : after - cpuBefore[index]!;
    });
    const cpu = {
      planner: planner ?? null,
      workers: workerCpu,
      postgres: serversBefore && serversAfter ? serversAfter.postgres - serversBefore.postgres : null,
      kafka:
        serversBefore?.kafka != null && serversAfter?.kafka != null ? serversAfter.kafka - serversBefore.kafka : null,
      machine: machineBefore && machineAfter ? (machineAfter.busy - machineBefore.busy) / CLOCK_TICKS : null,
      machineBusy:
        machineBefore && machineAfter
          ? (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)
          : null,
    };
    for (;;) {
      const view = await this.client.call('getRun', { runId }, this.identity).catch(() => null);
      if (view?.status === 'completed' && view.counts.evaluated === cases) break;
      if (Date.now() > deadline) throw new BenchError(`the read model did not show run ${runId} completed`);
      await sleep(POLL_MS);
    }
    return { runId, wallMs, readModelMs: performance.now() - started, cpu };
  }

  /** The run's stream and its batches' streams (as many as the planner logged). */
  private streamsOf(runId: string): string[] {
    const planned = this.planner.logLines('run planned').find((line) => line['runId'] === runId);
    const batches = Number(planned?.['batches'] ?? 0);
    if (batches === 0) throw new BenchError(`the planner logged no plan for run ${runId}`);
    return [`run-${runId}`, ...Array.from({ length: batches }, (_, n) => `runbatch-${runId}-${n}`)];
  }

  /** Where the run's time went, from the store's recorded_at (each append's transaction start). */
  private async timeline(runId: string): Promise<Timed['timeline']> {
    const { rows } = await this.pool.query<{ event_type: string; first: number; last: number }>(
      `SELECT event_type, extract(epoch FROM min(recorded_at)) * 1000 AS first,
              extract(epoch FROM max(recorded_at)) * 1000 AS last
         FROM eventstore.events WHERE stream_id = ANY($1::text[]) GROUP BY event_type`,
      [this.streamsOf(runId)],
    );
    const at = (type: string, which: 'first' | 'last'): number =>
      Number(rows.find((r) => r.event_type === type)?.[which]);
    const requested = at('RunRequested', 'first');
    return {
      started: at('RunStarted', 'first') - requested,
      lastScheduled: at('CaseBatchScheduled', 'last') - requested,
      completed: at('RunCompleted', 'first') - requested,
    };
  }

  /** Every case evaluated exactly once, and RunCompleted's totals say so. */
  private async verify(runId: string): Promise<string> {
    const events = (await this.store.readStream(`run-${runId}`)).map((recorded) => recorded.event);
    const indexes = events.flatMap((event) =>
      event.type === 'CaseEvaluated' ? evaluatedCases(event.payload).map((c) => c.caseIndex) : [],
    );
    const distinct = new Set(indexes);
    const completed = events.find((event): event is RunCompleted => event.type === 'RunCompleted');
    const { cases } = this.options;
    const totals = completed?.payload;
    if (
      indexes.length !== cases ||
      distinct.size !== cases ||
      !totals ||
      totals.totalCases !== cases ||
      totals.evaluatedCases !== cases ||
      totals.failedCases !== 0
    ) {
      throw new BenchError(
        `run ${runId}: ${indexes.length} case results for ${distinct.size} distinct cases of ${cases}; ` +
          `RunCompleted ${JSON.stringify(totals ? { ...totals, aggregates: undefined } : null)}`,
      );
    }
    return `${totals.evaluatedCases}/${totals.totalCases} evaluated, 0 failed, each case once`;
  }

  async phase(workers: number): Promise<Phase> {
    const groupPrefix = `${this.prefix}-w${workers}`;
    const processes: RunsProcess[] = [];
    try {
      progress(`starting ${workers} worker process(es)`);
      this.groups.push(`${groupPrefix}-workers`); // removed at the end even if a worker does not start
      for (let index = 0; index < workers; index++)
        processes.push(
          await startServiceProcess('runs', {
            ...this.env(`${workers}w-worker${index + 1}`, groupPrefix),
            RUNS_ROLES: 'worker',
          }),
        );
      await this.groupStable(`${groupPrefix}-workers`, workers);
      progress(`${workers} worker(s): warm-up run of ${WARMUP_CASES} cases and a warm-up of the floor`);
      const warm = await this.run(2, WARMUP_CASES);
      await this.verifyCount(warm.runId, WARMUP_CASES);
      await this.floor(warm.runId);
      await this.groupStable(`${groupPrefix}-workers`, workers); // a late rebalance must not fall into a timed run
      const before = processes.map((p) => p.logLines('batch scored').length);
      const runs: Timed[] = [];
      const floors: Floor[] = [];
      let check = '';
      // Platform and floor alternate, so a drift of the machine weighs on both alike.
      for (let repeat = 1; repeat <= this.repeat; repeat++) {
        progress(
          `${workers} worker(s): timed run ${repeat}/${this.repeat} of ${this.options.cases} cases, then its floor`,
        );
        const run = await this.run(1, this.options.cases, processes);
        check = await this.verify(run.runId);
        run.timeline = await this.timeline(run.runId);
        runs.push(run);
        floors.push(await this.floor(run.runId));
      }
      const workerPeakRssMb = processes.map((p) => peakRssMb(p.child.pid));
      const batchesPerWorker = processes.map((p, index) => p.logLines('batch scored').length - before[index]!);
      return { workers, runs, floors, workerPeakRssMb, batchesPerWorker, check };
    } finally {
      await Promise.all(processes.map((p) => stopRunsProcess(p)));
    }
  }

  private async verifyCount(runId: string, cases: number): Promise<void> {
    const view = await this.client.call('getRun', { runId }, this.identity);
    if (view.counts.evaluated !== cases || view.counts.failed !== 0)
      throw new BenchError(`warm-up run ${runId}: ${JSON.stringify(view.counts)}`);
  }

  async createScratch(): Promise<void> {
    // Like the store benchmark's raw table: the same columns, defaults, indexes and constraints, its own sequence.
    await this.pool.query(`CREATE TABLE ${this.floorTable} (LIKE eventstore.events INCLUDING ALL)`);
    await this.pool.query(`CREATE SEQUENCE ${this.floorTable}_sequence_seq OWNED BY ${this.floorTable}.sequence`);
    await this.pool.query(
      `ALTER TABLE ${this.floorTable} ALTER COLUMN sequence SET DEFAULT nextval('${this.floorTable}_sequence_seq')`,
    );
  }

  /**
   * The run's case batch and CaseEvaluated events, as stored: written raw to the scratch table, then through
   * the scratch topic.
   */
  private async floor(runId: string): Promise<Floor> {
    const streams = this.streamsOf(runId);
    const { rows } = await this.pool.query<FloorRow>(
      `SELECT stream_id, revision::text AS revision, event_id::text AS event_id, event_type, tenant_id, project_id,
              occurred_at, data
         FROM eventstore.events
        WHERE stream_id = ANY($1::text[]) AND event_type IN ('CaseBatchScheduled', 'CaseEvaluated')
        ORDER BY commit_id, sequence`,
      [streams],
    );
    // The floor: multi-row INSERT … VALUES, every value its own parameter (bytea in binary).
    await this.pool.query(`TRUNCATE ${this.floorTable}`);
    const insertStarted = performance.now();
    for (let index = 0; index < rows.length; index += INSERT_BATCH) {
      const chunk = rows.slice(index, index + INSERT_BATCH);
      const width = FLOOR_COLUMNS.length;
      const tuples = chunk.map(
        (_, row) => `(${FLOOR_COLUMNS.map((_, column) => `$${row * width + column + 1}`).join(', ')})`,
      );
      await this.pool.query(
        `INSERT INTO ${this.floorTable} (${FLOOR_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`,
        chunk.flatMap((row) => FLOOR_COLUMNS.map((column) => row[column])),
      );
    }
    const insertMs = performance.now() - insertStarted;
    const kafkaMs = await this.throughTopic(rows.map((r) => ({ key: r.stream_id, value: r.data })));
    // Then, outside the floor, as the event store sends rows: unnest of arrays (node-postgres sends
    // an array parameter as a text literal, each bytea in hex).
    await this.pool.query(`TRUNCATE ${this.floorTable}`);
    const unnestStarted = performance.now();
    for (let index = 0; index < rows.length; index += INSERT_BATCH) {
      const chunk = rows.slice(index, index + INSERT_BATCH);
      await this.pool.query(
        `INSERT INTO ${this.floorTable} (${FLOOR_COLUMNS.join(', ')})
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
    const topic = `bench-runs-floor-${this.tag}-${this.floorTopics.length + 1}`;
    await this.admin.createTopics({
      waitForLeaders: true,
      timeout: 30_000,
      topics: [{ topic, numPartitions: 6, replicationFactor: 1 }],
    });
    this.floorTopics.push(topic);
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

  /** The scratch topics and consumer groups (the scratch database, with the floor's table, is dropped after). */
  async cleanUp(): Promise<void> {
    if (this.floorTopics.length > 0)
      await this.admin.deleteTopics({ topics: this.floorTopics }).catch((error: Error) => {
        progress(`could not delete topics ${this.floorTopics.join(', ')}: ${error.message}`);
      });
    const existing = new Set((await this.admin.listGroups()).groups.map((group) => group.groupId));
    const groups = this.groups.filter((group) => existing.has(group));
    if (groups.length > 0)
      await this.admin.deleteGroups(groups).catch((error: Error) => {
        progress(`could not delete consumer groups ${groups.join(', ')}: ${error.message}`);
      });
  }
}

function printProfiles(profileDir: string): void {
  console.log(`  CPU profiles (${profileDir}), self time, whole process life:`);
  for (const role of readdirSync(profileDir).sort()) {
    for (const file of readdirSync(join(profileDir, role)).filter((name) => name.endsWith('.cpuprofile'))) {
      const summary = summarizeCpuProfile(join(profileDir, role, file));
      const pct = (ms: number): string => `${((ms / summary.busyMs) * 100).toFixed(1)} %`;
      console.log(
        `    ${role}: ${(summary.totalMs / 1000).toFixed(1)} s sampled, ${(summary.busyMs / 1000).toFixed(1)} s on CPU`,
      );
      console.log(
        `      by package: ${summary.packages
          .slice(0, 8)
          .map((p) => `${p.name} ${pct(p.ms)}`)
          .join(', ')}`,
      );
      for (const fn of summary.functions.slice(0, 10))
        console.log(`      ${fn.ms.toFixed(0).padStart(6)} ms  ${pct(fn.ms).padStart(7)}  ${fn.name}`);
    }
  }
}

function dropDatabase(database: string): void {
  try {
    psqlAdmin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  } catch (error) {
    progress(`could not drop the scratch database ${database}: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** The scratch database's URL: the test database's server and user. */
function databaseUrlFor(database: string): string {
  const url = new URL(testDatabaseUrl());
  url.pathname = `/${database}`;
  return url.toString();
}

function psqlAdmin(sql: string): void {
  const url = new URL(testDatabaseUrl());
  execFileSync('psql', ['-h', url.hostname, '-p', url.port || '5432', '-U', ADMIN_USER, '-d', 'postgres', '-qc', sql], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * The servers up, and a scratch database made as infra/postgres/setup.sh makes every database, with the
 * runs schema.
 */
function ensureServers(root: string, database: string): void {
  const scripts = [
    { script: 'infra/postgres/setup.sh', args: [], env: { EVALVAULT_DATABASES: database } },
    { script: 'infra/kafka/kafka.sh', args: ['start'], env: {} },
  ];
  for (const { script, args, env } of scripts) {
    try {
      execFileSync('bash', [script, ...args], {
        cwd: root,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 240_000,
      });
    } catch (error) {
      const { stderr } = error as { stderr?: Buffer };
      throw new BenchError(`\`bash ${script} ${args.join(' ')}\` failed:\n${stderr?.toString().slice(-1000) ?? ''}`);
    }
  }
  // The processes refuse to start on pending migrations.
  execFileSync(process.execPath, [join(root, 'services/runs/dist/migrate.js')], {
    env: { ...process.env, DATABASE_URL: databaseUrlFor(database) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Part (b): prints its figures; throws when a run fails or a case is lost or counted twice. */
export async function distributedRunsBench(options: DistributedRunsBenchOptions, scratch: string): Promise<void> {
  const tag = randomBytes(4).toString('hex');
  const database = `evalvault_bench_runs_${tag}`;
  progress(`ensuring PostgreSQL with a scratch database ${database} (infra/postgres/setup.sh) and Kafka`);
  try {
    ensureServers(options.root, database);
  } catch (error) {
    dropDatabase(database);
    throw error;
  }
  const profileDir = process.env['BENCH_RUNS_PROFILE'] || null;
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  const pool = new pg.Pool({ connectionString: databaseUrlFor(database), max: 4 });
  const store = new PostgresEventStore(pool, new EventCodec());
  const kafka = createKafka(testKafkaSettings('evalvault-bench-runs'));
  const admin = kafka.admin();
  await admin.connect();
  const bench = new DistributedBench(
    tag,
    databaseUrlFor(database),
    options,
    pool,
    store,
    kafka,
    admin,
    scratch,
    profileDir,
  );
  const phases: Phase[] = [];
  let plannerRss: number | null = null;
  try {
    await bench.createScratch();
    progress('starting the runs process with the planner, the relay and the read model');
    await bench.startPlanner();
    phases.push(await bench.phase(1));
    phases.push(await bench.phase(2));
  } finally {
    if (bench.planner) {
      plannerRss = peakRssMb(bench.planner.child.pid);
      await stopRunsProcess(bench.planner);
    }
    await bench.cleanUp();
    await admin.disconnect().catch(() => undefined);
    await store.close().catch(() => undefined);
    await pool.end().catch(() => undefined);
    dropDatabase(database);
  }

  const { cases } = options;
  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  const rate = (ms: number): number => cases / (ms / 1000);
  const floorMs = (floor: Floor): number => floor.insertMs + floor.kafkaMs;
  const medianBy = <T>(items: readonly T[], key: (item: T) => number): T =>
    [...items].sort((a, b) => key(a) - key(b))[Math.floor((items.length - 1) / 2)]!;
  const figures = phases.map((phase) => {
    const run = medianBy(phase.runs, (r) => r.wallMs);
    const floor = medianBy(phase.floors, floorMs);
    return { phase, run, floor, rate: rate(run.wallMs), ratio: run.wallMs / floorMs(floor) };
  });
  console.log(
    `bench:runs (b) — ${cases} deterministic cases (${options.metrics.join(', ')}), Kafka + PostgreSQL, ` +
      `runs processes from dist on this machine (${availableParallelism()} cores); medians of ${bench.repeat} runs`,
  );
  for (const { phase, run, floor, rate: casesPerSecond, ratio } of figures) {
    const rss = phase.workerPeakRssMb.map((mb) => (mb === null ? '?' : `${mb.toFixed(0)} MB`)).join(' / ');
    console.log(
      `  1 planner + ${phase.workers} worker${phase.workers > 1 ? 's' : ' '}  ` +
        `submit → RunCompleted ${s(run.wallMs)}   ` +
        `${casesPerSecond.toFixed(0)} cases/s   ratio to the durable floor ${ratio.toFixed(1)}×`,
    );
    console.log(
      `      runs ${phase.runs.map((r) => s(r.wallMs)).join(', ')}; ` +
        `the read model showed the run completed at ${s(run.readModelMs)}`,
    );
    if (run.timeline)
      console.log(
        `      after RunRequested: RunStarted (dataset counted) at ${s(run.timeline.started)}, ` +
          `last batch scheduled at ${s(run.timeline.lastScheduled)}, RunCompleted at ${s(run.timeline.completed)}`,
      );
    /** This benchmark's own process, the system, and whatever else runs on the machine meanwhile. */
    const rest = ({ cpu: c }: Timed): number | null => {
      const parts = [c.planner, ...c.workers, c.postgres, c.kafka];
      return c.machine === null || parts.includes(null) ? null : c.machine - parts.reduce((x, y) => x! + y!, 0)!;
    };
    const cpu = (seconds: number | null): string => (seconds === null ? '?' : `${seconds.toFixed(2)} s`);
    console.log(
      `      CPU from submit to RunCompleted: planner process ${cpu(run.cpu.planner)}, ` +
        `worker${phase.workers > 1 ? 's' : ''} ${run.cpu.workers.map(cpu).join(' / ')}, ` +
        `PostgreSQL ${cpu(run.cpu.postgres)}, Kafka broker ${cpu(run.cpu.kafka)}, the rest ${cpu(rest(run))}; ` +
        `machine ${cpu(run.cpu.machine)}, ` +
        `busy ${run.cpu.machineBusy === null ? '?' : `${(run.cpu.machineBusy * 100).toFixed(0)} %`} ` +
        `of ${availableParallelism()} cores`,
    );
    console.log(
      `      durable floor ${s(floorMs(floor))} (${phase.floors.map((f) => s(floorMs(f))).join(', ')}): ` +
        `${floor.events} events, ${(floor.bytes / 1e6).toFixed(1)} MB — batched INSERT ${s(floor.insertMs)} + ` +
        `Kafka produce→consume ${s(floor.kafkaMs)}; the same INSERTs as the event store sends them ` +
        `(unnest of a bytea[]) ${s(floor.unnestMs)}`,
    );
    console.log(
      `      worker peak RSS ${rss}; batches scored per worker ${phase.batchesPerWorker.join(' / ')}; ` +
        `RunCompleted: ${phase.check}`,
    );
  }
  if (plannerRss !== null)
    console.log(`  planner process (planner, relay, read model) peak RSS ${plannerRss.toFixed(0)} MB`);
  const two = figures.find((figure) => figure.phase.workers === 2);
  if (two) {
    console.log(
      `  targets (2 workers): ≥ ${TARGET_CASES_PER_S.toLocaleString('en-US')} cases/s — ${two.rate.toFixed(0)} ` +
        `(${two.rate >= TARGET_CASES_PER_S ? 'met' : 'not met'}); ≤ ${TARGET_FLOOR_RATIO}× the durable floor — ` +
        `${two.ratio.toFixed(1)}× (${two.ratio <= TARGET_FLOOR_RATIO ? 'met' : 'not met'})`,
    );
  }
  if (profileDir) printProfiles(profileDir);
}
