import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Admin, Kafka } from 'kafkajs';
import pg from 'pg';
import { evaluatedCases, EventCodec, type RunCompleted } from '@evalvault/contracts';
import { createKafka, HttpServiceClient, InternalIdentitySigner, PostgresEventStore } from '@evalvault/platform';
import type { InternalIdentity } from '@evalvault/platform';
import { startServiceProcess, stopRunsProcess, testKafkaSettings, type RunsProcess } from '@evalvault/platform/testing';
import type { RunsOperations } from '@evalvault/service-apis';
import { BenchError, progress, sleep } from './bench-progress.js';
import { printDistributedRuns, type Phase, type Timed } from './distributed-runs-report.js';
import { DurableFloor, type Floor } from './durable-floor.js';
import { CLOCK_TICKS, cpuSeconds, machineTicks, peakRssMb, serverCpuSeconds } from './proc-stats.js';
import { databaseUrlFor, dropDatabase, ensureServers, kafkaAnswers, stopKafka } from './scratch-servers.js';

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
const DATASET_ID = 'bench-runs';

class DistributedBench {
  /** Names this run's consumer groups, relay and checkpoint. */
  readonly prefix: string;
  readonly floor: DurableFloor;
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
    this.floor = new DurableFloor(tag, pool, kafka, admin, this.groups);
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
      await this.floorOf(warm.runId);
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
        floors.push(await this.floorOf(run.runId));
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
    await this.floor.createTable();
  }

  /** The floor of a run: its case batch and CaseEvaluated events, as stored, written raw and through a topic. */
  private floorOf(runId: string): Promise<Floor> {
    return this.floor.measure(this.streamsOf(runId));
  }

  /** The scratch topics and consumer groups (the scratch database, with the floor's table, is dropped after). */
  async cleanUp(): Promise<void> {
    await this.floor.deleteTopics();
    const existing = new Set((await this.admin.listGroups()).groups.map((group) => group.groupId));
    const groups = this.groups.filter((group) => existing.has(group));
    if (groups.length > 0)
      await this.admin.deleteGroups(groups).catch((error: Error) => {
        progress(`could not delete consumer groups ${groups.join(', ')}: ${error.message}`);
      });
  }
}

/** Part (b): prints its figures; throws when a run fails or a case is lost or counted twice. */
export async function distributedRunsBench(options: DistributedRunsBenchOptions, scratch: string): Promise<void> {
  const tag = randomBytes(4).toString('hex');
  const database = `evalvault_bench_runs_${tag}`;
  progress(`ensuring PostgreSQL with a scratch database ${database} (infra/postgres/setup.sh) and Kafka`);
  const startedKafka = !kafkaAnswers(options.root);
  const releaseServers = (): void => {
    dropDatabase(database);
    if (startedKafka) stopKafka(options.root);
  };
  try {
    ensureServers(options.root, database);
  } catch (error) {
    releaseServers();
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
    releaseServers();
  }

  printDistributedRuns({ options, phases, repeat: bench.repeat, plannerRss, profileDir });
}
