import { randomBytes, randomUUID } from 'node:crypto';
import { FakeLlmServer } from '@evalvault/llm/testing';
import { startServiceProcess, stopRunsProcess, type RunsProcess } from '@evalvault/platform/testing';
import { scopedEnvName } from '../../../services/notifier/src/routes/secret-scope.js';
import { FakeSlack } from '../../../services/notifier/src/testing/index.js';

/** The six services, each its own process (distributed mode), named as start-all.mjs names them. */
export const SERVICES = ['runs', 'registry', 'memory', 'audit', 'notifier', 'gateway'] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface DrillPlatformOptions {
  brokers: string;
  databaseUrl: string;
  /** Milliseconds the fake judge holds each answer: long enough that a drill lands mid-run. */
  judgeDelayMs?: number;
  env?: Partial<Record<ServiceName, Record<string, string>>>;
}

/**
 * A distributed platform for one drill: its own relay checkpoints and consumer groups (a drill
 * tag), a fake LLM judge on 127.0.0.1, a fake Slack that every gate failure of project `default`
 * is routed to, and the processes' output kept for a failed drill's message.
 */
export class DrillPlatform {
  readonly adminKey = `evk_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`;
  readonly tag = randomUUID().slice(0, 8);
  readonly processes = new Map<ServiceName, RunsProcess>();
  /** Services that exited by themselves, as `name (exit code)`: a drill fails on any. */
  readonly selfExits: string[] = [];
  private exitedResolve!: (exit: string) => void;
  /** Resolves with the first service that exits by itself (none is started again: that would hide it). */
  readonly firstSelfExit = new Promise<string>((resolve) => {
    this.exitedResolve = resolve;
  });
  private stopping = false;
  /** Processes killed or replaced during the drill: their output still explains a failure. */
  private readonly retired: RunsProcess[] = [];
  private readonly secrets = {
    internal: randomBytes(32).toString('base64url'),
    pepper: randomBytes(32).toString('base64url'),
  };
  /**
   * The drill's own secret name: a route an earlier drill left on the drill broker's topics (which a
   * notifier on another database projects, and cannot delete) names a variable this drill does not set,
   * so it never reaches this drill's Slack.
   */
  private readonly slackName = scopedEnvName(
    { tenantId: 'default', projectId: 'default' },
    'slack',
    `URL_${this.tag.toUpperCase()}`,
  );

  private constructor(
    private readonly options: DrillPlatformOptions,
    readonly llm: FakeLlmServer,
    readonly slack: FakeSlack,
  ) {}

  static async start(options: DrillPlatformOptions): Promise<DrillPlatform> {
    const delayMs = options.judgeDelayMs ?? 200;
    const llm = await FakeLlmServer.start({
      apiKeys: ['fake-judge-key'],
      script: (request) => {
        const prompt = request.messages.map((m) => m.content).join('\n');
        if (prompt.includes('"claims"')) return { text: JSON.stringify({ claims: ['claim one'] }), delayMs };
        return { text: JSON.stringify({ verdicts: [{ claim: 1, reason: 'stated', verdict: 1 }] }), delayMs };
      },
    });
    const slack = await FakeSlack.start(`/services/T1/B1/${randomBytes(8).toString('hex')}`);
    const platform = new DrillPlatform(options, llm, slack);
    try {
      for (const service of SERVICES) await platform.startService(service);
    } catch (error) {
      await platform.stop(); // no process of a failed start is left running
      throw error;
    }
    return platform;
  }

  get gateway(): RunsProcess {
    return this.processes.get('gateway')!;
  }

  private envOf(service: ServiceName): Record<string, string> {
    const tag = `drill-${this.tag}`;
    const upper = service.toUpperCase();
    const env: Record<string, string> = {
      DATABASE_URL: this.options.databaseUrl,
      KAFKA_BROKERS: this.options.brokers,
      DRILL_INTERNAL_SECRET: this.secrets.internal,
      EVALVAULT_INTERNAL_SECRET_REF: 'env:DRILL_INTERNAL_SECRET',
      [`${upper}_RELAY_NAME`]: `${tag}-${service}`,
      [`${upper}_RELAY_START`]: 'latest',
      [`${upper}_CONSUMER_START`]: 'latest',
      [service === 'audit' ? 'AUDIT_GROUP_ID' : `${upper}_GROUP_PREFIX`]: `${tag}-${service}`,
    };
    if (service === 'runs')
      Object.assign(env, {
        EVALVAULT_JUDGE_PROVIDER: 'openai',
        EVALVAULT_JUDGE_BASE_URL: this.llm.url,
        EVALVAULT_JUDGE_MODEL: 'judge-drill',
        EVALVAULT_JUDGE_API_KEY_REF: 'env:DRILL_JUDGE_KEY',
        DRILL_JUDGE_KEY: 'fake-judge-key',
        EVALVAULT_JUDGE_REQUESTS_PER_SECOND: '500',
        EVALVAULT_JUDGE_PRICE_INPUT_PER_MTOK: '10',
        EVALVAULT_JUDGE_PRICE_OUTPUT_PER_MTOK: '30',
        RUNS_WORKER_CONCURRENCY: '2',
        RUNS_BATCH_SIZE: '5',
      });
    if (service === 'notifier')
      Object.assign(env, {
        [this.slackName]: this.slack.webhookUrl,
        EVALVAULT_EGRESS_ALLOW: '127.0.0.1',
        NOTIFIER_POLL_MS: '200',
        NOTIFIER_HTTP_TIMEOUT_MS: '1500',
        NOTIFIER_LEASE_MS: '5000',
      });
    if (service === 'gateway') {
      Object.assign(env, {
        DRILL_PEPPER: this.secrets.pepper,
        EVALVAULT_API_KEY_PEPPER_REF: 'env:DRILL_PEPPER',
        EVALVAULT_BOOTSTRAP_ADMIN_KEY: this.adminKey,
      });
      for (const peer of SERVICES.filter((s) => s !== 'gateway'))
        env[`${peer.toUpperCase()}_SERVICE_URL`] = this.processes.get(peer)!.url;
    }
    return { ...env, ...this.options.env?.[service] };
  }

  /**
   * Starts one service, or starts it again on the port it had (where its peers and the drill find it).
   * A service that exits by itself is recorded, not started again: a supervisor (start-all.mjs,
   * Kubernetes) would, but a drill must show that the fault alone ends no process.
   */
  async startService(service: ServiceName): Promise<RunsProcess> {
    const started = await this.launch(service);
    started.child.once('exit', (code, signal) => {
      if (this.stopping || this.processes.get(service) !== started || signal === 'SIGKILL') return;
      const exit = `${service} (${signal ?? code})`;
      this.selfExits.push(exit);
      this.exitedResolve(exit);
    });
    return started;
  }

  private async launch(service: ServiceName): Promise<RunsProcess> {
    const before = this.processes.get(service);
    const port: Record<string, string> = before ? { PORT: new URL(before.url).port } : {};
    const launched = await startServiceProcess(service, { ...this.envOf(service), ...port });
    // startServiceProcess names the free port it picked; the process listens on PORT when given one.
    const started = before ? { ...launched, url: before.url } : launched;
    this.processes.set(service, started);
    return started;
  }

  async kill(service: ServiceName): Promise<void> {
    const process = this.processes.get(service)!;
    await stopRunsProcess(process, 'SIGKILL');
    this.retired.push(process);
  }

  async restart(service: ServiceName): Promise<RunsProcess> {
    await this.kill(service);
    return this.startService(service);
  }

  api(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${this.gateway.url}/v1/projects/default${path}`, {
      ...init,
      headers: { authorization: `Bearer ${this.adminKey}`, 'content-type': 'application/json', ...init.headers },
    });
  }

  /**
   * The Slack route for gate failures of project `default`, the only drill route there: routes an
   * earlier drill left (killed before its clean-up) would send the run's message once more each.
   */
  async routeGateFailuresToSlack(): Promise<void> {
    const listed = await this.api('/notification-routes');
    const { items } = (await listed.json()) as { items: { routeId: string; name: string }[] };
    for (const route of items.filter((r) => r.name.startsWith('drill-'))) {
      const removed = await fetch(`${this.gateway.url}/v1/projects/default/notification-routes/${route.routeId}`, {
        method: 'DELETE', // no body, so no content-type either
        headers: { authorization: `Bearer ${this.adminKey}` },
      });
      // 404: a route another drill's database holds, listed from the drill broker's shared topic.
      if (![200, 404].includes(removed.status))
        throw new Error(`route ${route.routeId}: ${removed.status} ${await removed.text()}`);
    }
    const response = await this.api('/notification-routes', {
      method: 'POST',
      body: JSON.stringify({
        name: `drill-${this.tag}`,
        on: ['GateFailed'],
        destination: { type: 'slack', webhookUrlRef: `env:${this.slackName}` },
      }),
    });
    if (response.status !== 201) throw new Error(`route: ${response.status} ${await response.text()}`);
  }

  /** Slack messages about this run. */
  slackMessagesFor(runId: string): number {
    return this.slack.messages().filter((message) => JSON.stringify(message).includes(runId)).length;
  }

  outputOf(service: ServiceName, chars: number): string {
    return this.processes.get(service)!.output().slice(-chars);
  }

  output(): string {
    return [...this.retired, ...this.processes.values()].map((p) => p.output().slice(-2500)).join('\n---\n');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.processes.values()].map((p) => stopRunsProcess(p, 'SIGKILL')));
    await this.llm.close();
    await this.slack.close();
  }
}
