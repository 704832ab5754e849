import { randomBytes } from 'node:crypto';
import type { Admin } from 'kafkajs';
import { createKafka, HttpServiceClient, InternalIdentitySigner, type InternalIdentity } from '@evalvault/platform';
import { startServiceProcess, stopRunsProcess, testKafkaSettings, type RunsProcess } from '@evalvault/platform/testing';
import type { RunsOperations } from '@evalvault/service-apis';
import { databaseUrlFor, dropDatabase, kafkaAnswers, runSetupSteps, stopKafka } from '../scratch-servers.js';

/**
 * The distributed platform of one streaming run, as operators run it, on the local PostgreSQL and
 * Kafka: a registry process, a runs process with the planner, the relay and the read model, and
 * worker processes, each started from `dist`. The store is a scratch database of this run alone
 * (on the shared test database the planners and workers of end-to-end tests running meanwhile
 * would score these runs too); consumer groups, relays and checkpoints are this run's, new groups
 * start at the end of the shared topics. `close()` stops the processes, deletes the groups and
 * drops the database.
 */
export interface ScratchPlatformOptions {
  root: string;
  workers: number;
  /** Largest dataset upload the registry accepts (REGISTRY_DATASET_MAX_BYTES). */
  maxUploadBytes: number;
  /** Added to every process's NODE_OPTIONS (e.g. `--cpu-prof --cpu-prof-dir=…`). */
  nodeOptions?: string;
  /** Workers open an inspector on a free loopback port, for HeapProbe. */
  inspectWorkers?: boolean;
  progress?: (message: string) => void;
}

export class ScratchPlatform {
  readonly tag = randomBytes(4).toString('hex');
  readonly database = `evalvault_stream_${this.tag}`;
  readonly databaseUrl: string;
  readonly identity: InternalIdentity;
  readonly signer: InternalIdentitySigner;
  registry!: RunsProcess;
  planner!: RunsProcess;
  readonly workers: RunsProcess[] = [];
  runs!: HttpServiceClient<RunsOperations>;
  private readonly secret = randomBytes(32).toString('base64url');
  private readonly groups: string[] = [];
  private admin: Admin | null = null;
  /** No broker answered before the bench: it started one, and stops it at close(). */
  private startedKafka = false;
  private scored = 0;

  constructor(private readonly options: ScratchPlatformOptions) {
    this.databaseUrl = databaseUrlFor(this.database);
    this.signer = new InternalIdentitySigner({ secret: Buffer.from(this.secret, 'utf8') });
    this.identity = {
      tenantId: `tenant-stream-${this.tag}`,
      projectId: 'default',
      roles: ['editor'],
      actor: { subject: 'bench@example.com', authMethod: 'api_key', apiKeyId: null },
    };
  }

  /** The servers, the scratch database migrated, then every process started and its consumer groups stable. */
  async start(): Promise<void> {
    const say = this.options.progress ?? (() => undefined);
    say(`scratch database ${this.database} (infra/postgres/setup.sh), Kafka (infra/kafka/kafka.sh)`);
    this.prepareServers();
    const kafka = createKafka(testKafkaSettings(`evalvault-stream-${this.tag}`));
    this.admin = kafka.admin();
    await this.admin.connect();
    const prefix = `stream-${this.tag}`;
    this.groups.push(`${prefix}-planner`, `${prefix}-read-model`, `${prefix}-workers`, `${prefix}-registry-read-model`);
    say(`starting the registry, the runs process (planner, relay, read model) and ${this.options.workers} worker(s)`);
    const workerEnv = {
      ...this.env(this.options.inspectWorkers ? '--inspect=127.0.0.1:0' : ''),
      RUNS_ROLES: 'worker',
      RUNS_CONSUMER_START: 'latest',
      RUNS_GROUP_PREFIX: prefix,
    };
    // All at once (a start is mostly waiting); each started one is kept, so close() stops it if another failed.
    const started = await Promise.allSettled([
      startServiceProcess('registry', {
        ...this.env(),
        REGISTRY_DATASET_MAX_BYTES: String(this.options.maxUploadBytes),
        REGISTRY_CONSUMER_START: 'latest',
        REGISTRY_GROUP_PREFIX: `${prefix}-registry`,
        REGISTRY_RELAY_NAME: `${prefix}-registry`,
        REGISTRY_RELAY_START: 'latest',
      }).then((process) => (this.registry = process)),
      startServiceProcess('runs', {
        ...this.env(),
        RUNS_ROLES: 'planner,relay,projection',
        RUNS_CONSUMER_START: 'latest',
        RUNS_GROUP_PREFIX: prefix,
        RUNS_RELAY_NAME: prefix,
        RUNS_RELAY_START: 'latest',
      }).then((process) => (this.planner = process)),
      ...Array.from({ length: this.options.workers }, () =>
        startServiceProcess('runs', workerEnv).then((worker) => {
          this.countScored(worker);
          this.workers.push(worker);
        }),
      ),
    ]);
    const failed = started.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    await this.groupStable(`${prefix}-workers`, this.options.workers);
    this.runs = new HttpServiceClient<RunsOperations>({
      serviceName: 'runs',
      baseUrl: this.planner.url,
      signer: this.signer,
      timeoutMs: 60_000,
    });
  }

  /** Cases the workers have scored so far, as their "batch scored" log lines count them. */
  get scoredCases(): number {
    return this.scored;
  }

  /** Counts a worker's scored cases as its log lines arrive (the read model lags behind the workers). */
  private countScored(worker: RunsProcess): void {
    let partial = '';
    worker.child.stdout!.on('data', (chunk: Buffer) => {
      const lines = `${partial}${chunk.toString()}`.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines)
        if (line.includes('"msg":"batch scored"')) this.scored += Number(/"evaluated":(\d+)/.exec(line)?.[1] ?? 0);
    });
  }

  /** Each started process's output so far, by name. */
  outputs(): [string, string][] {
    const named: [string, RunsProcess | undefined][] = [
      ['registry', this.registry],
      ['planner', this.planner],
      ...this.workers.map((worker, n): [string, RunsProcess] => [`worker-${n + 1}`, worker]),
    ];
    return named.filter(([, p]) => p !== undefined).map(([name, p]) => [name, p!.output()]);
  }

  async close(): Promise<void> {
    const processes = [this.registry, this.planner, ...this.workers].filter((p) => p !== undefined);
    await Promise.all(processes.map((p) => stopRunsProcess(p)));
    if (this.admin) {
      const existing = new Set(
        (await this.admin.listGroups().catch(() => ({ groups: [] }))).groups.map((g) => g.groupId),
      );
      const groups = this.groups.filter((group) => existing.has(group));
      if (groups.length > 0) await this.admin.deleteGroups(groups).catch(() => undefined);
      await this.admin.disconnect().catch(() => undefined);
    }
    dropDatabase(this.database);
    if (this.startedKafka) stopKafka(this.options.root);
  }

  private env(nodeOptions = ''): Record<string, string> {
    const env: Record<string, string> = {
      DATABASE_URL: this.databaseUrl,
      EVALVAULT_INTERNAL_SECRET_REF: 'env:STREAM_BENCH_INTERNAL_SECRET',
      STREAM_BENCH_INTERNAL_SECRET: this.secret,
      LOG_LEVEL: 'info',
    };
    const options = `${this.options.nodeOptions ?? ''} ${nodeOptions}`.trim();
    if (options) env['NODE_OPTIONS'] = `${process.env['NODE_OPTIONS'] ?? ''} ${options}`.trim();
    return env;
  }

  private prepareServers(): void {
    const { databaseUrl } = this;
    this.startedKafka = !kafkaAnswers(this.options.root);
    runSetupSteps(this.options.root, [
      { file: 'bash', args: ['infra/postgres/setup.sh'], env: { EVALVAULT_DATABASES: this.database } },
      { file: 'bash', args: ['infra/kafka/kafka.sh', 'start'], env: {} },
      // The processes refuse to start on pending migrations.
      { file: process.execPath, args: ['services/runs/dist/migrate.js'], env: { DATABASE_URL: databaseUrl } },
      { file: process.execPath, args: ['services/registry/dist/migrate.js'], env: { DATABASE_URL: databaseUrl } },
    ]);
  }

  /** Waits until the group has exactly `members` members and is stable: no rebalance falls into the run. */
  private async groupStable(groupId: string, members: number): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { groups } = await this.admin!.describeGroups([groupId]);
      const group = groups[0];
      if (group?.state === 'Stable' && group.members.length === members) return;
      if (Date.now() > deadline)
        throw new Error(`group ${groupId} not stable with ${members} members: ${group?.state}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
