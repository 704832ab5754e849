import { randomBytes, randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import pg from 'pg';
import { EventCodec, evaluatedCases, type EvalVaultEvent } from '@evalvault/contracts';
import { FakeLlmServer } from '@evalvault/llm/testing';
import { PostgresEventStore } from '@evalvault/platform';
import {
  migrateTestDatabase,
  OwnBroker,
  startServiceProcess,
  stopRunsProcess,
  testDatabaseUrl,
  type RunsProcess,
} from '@evalvault/platform/testing';

// A broker of its own started, stopped for 30 s and started again, around a run of a minute.
jest.setTimeout(360_000);

const CASES = 60;
const AFTER_CASES = 10;
const OUTAGE_MS = 30_000;

/**
 * Distributed mode on a broker that goes away for 30 s in the middle of a run: the runs
 * service and the gateway say they are not ready while it is gone and ready again after,
 * the run completes by itself with every case counted once, and a run submitted after the
 * outage completes too (before, the relay stopped for good: 202, then 404 forever).
 */
describe('a broker outage in the middle of a run', () => {
  const adminKey = `evk_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`;
  const tag = randomUUID().slice(0, 8);
  const processes: RunsProcess[] = [];
  let broker: OwnBroker;
  let llm: FakeLlmServer;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let runs: RunsProcess;
  let gateway: RunsProcess;

  beforeAll(async () => {
    migrateTestDatabase();
    broker = await OwnBroker.start(29_092);
    llm = await FakeLlmServer.start({
      apiKeys: ['fake-judge-key'],
      // Slow enough that the run is still being scored when the broker stops.
      script: (request) => {
        const prompt = request.messages.map((m) => m.content).join('\n');
        if (prompt.includes('"claims"')) return { text: JSON.stringify({ claims: ['claim one'] }), delayMs: 250 };
        return { text: JSON.stringify({ verdicts: [{ claim: 1, reason: 'stated', verdict: 1 }] }), delayMs: 250 };
      },
    });
    const shared = {
      KAFKA_BROKERS: broker.brokers,
      E2E_INTERNAL_SECRET: randomBytes(32).toString('base64url'),
      EVALVAULT_INTERNAL_SECRET_REF: 'env:E2E_INTERNAL_SECRET',
      RUNS_CONSUMER_START: 'latest',
      RUNS_RELAY_START: 'latest',
      RUNS_RELAY_NAME: `outage-${tag}`,
      RUNS_GROUP_PREFIX: `outage-${tag}`,
      GATEWAY_RELAY_NAME: `outage-${tag}`,
      GATEWAY_RELAY_START: 'latest',
    };
    runs = await startServiceProcess('runs', {
      ...shared,
      EVALVAULT_JUDGE_PROVIDER: 'openai',
      EVALVAULT_JUDGE_BASE_URL: llm.url,
      EVALVAULT_JUDGE_MODEL: 'judge-test',
      EVALVAULT_JUDGE_API_KEY_REF: 'env:E2E_JUDGE_KEY',
      E2E_JUDGE_KEY: 'fake-judge-key',
      EVALVAULT_JUDGE_REQUESTS_PER_SECOND: '500',
      RUNS_WORKER_CONCURRENCY: '2',
      RUNS_BATCH_SIZE: '5',
    });
    processes.push(runs);
    // Every submission asks the registry for the project's policy and the versions the run pins.
    const registry = await startServiceProcess('registry', {
      ...shared,
      REGISTRY_CONSUMER_START: 'latest',
      REGISTRY_RELAY_START: 'latest',
      REGISTRY_RELAY_NAME: `outage-registry-${tag}`,
      REGISTRY_GROUP_PREFIX: `outage-registry-${tag}`,
    });
    processes.push(registry);
    gateway = await startServiceProcess('gateway', {
      ...shared,
      E2E_PEPPER: randomBytes(32).toString('base64url'),
      EVALVAULT_API_KEY_PEPPER_REF: 'env:E2E_PEPPER',
      EVALVAULT_BOOTSTRAP_ADMIN_KEY: adminKey,
      RUNS_SERVICE_URL: runs.url,
      REGISTRY_SERVICE_URL: registry.url,
    });
    processes.push(gateway);
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 2 });
    store = new PostgresEventStore(pool, new EventCodec());
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => stopRunsProcess(p)));
    await store?.close();
    await pool?.end();
    await llm?.close();
    await broker?.remove();
  });

  const api = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${gateway.url}/v1/projects/default${path}`, {
      ...init,
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json', ...init.headers },
    });

  async function submit(count: number): Promise<string> {
    const nonce = randomUUID().slice(0, 8); // fresh wording: no judge answer from the cache
    const cases = Array.from({ length: count }, (_, i) => ({
      id: `q${i}`,
      question: `What is item ${i} (${nonce})?`,
      answer: `Item ${i} is a thing`,
      contexts: [`Item ${i} is a thing (${nonce}).`],
      ground_truth: `Item ${i} is a thing`,
    }));
    const response = await api('/runs', {
      method: 'POST',
      body: JSON.stringify({
        dataset: { name: `outage-${tag}`, cases },
        metrics: ['token_f1', 'faithfulness'],
        gate: { rules: ['mean(token_f1) >= 0.5'] },
      }),
    });
    expect(response.status).toBe(202);
    return ((await response.json()) as { runId: string }).runId;
  }

  async function caseIndexes(runId: string): Promise<number[]> {
    const events: EvalVaultEvent[] = (await store.readStream(`run-${runId}`)).map((r) => r.event);
    return events.flatMap((e) => (e.type === 'CaseEvaluated' ? evaluatedCases(e.payload).map((c) => c.caseIndex) : []));
  }

  async function ready(service: RunsProcess): Promise<boolean> {
    return (await fetch(`${service.url}/readyz`)).status === 200;
  }

  async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 120_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value) return value;
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for ${what}\n${processes.map((p) => p.output().slice(-3000)).join('\n---\n')}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  async function completedView(
    runId: string,
  ): Promise<{ status: string; counts: { evaluated: number; failed: number } }> {
    return until(
      `run ${runId} to complete`,
      async () => {
        const response = await api(`/runs/${runId}`);
        if (response.status !== 200) return undefined;
        const view = (await response.json()) as { status: string; counts: { evaluated: number; failed: number } };
        return view.status === 'completed' ? view : undefined;
      },
      180_000,
    );
  }

  it('completes the run by itself with every case once, unready during the outage and ready after', async () => {
    expect(await ready(runs)).toBe(true);
    expect(await ready(gateway)).toBe(true);
    const runId = await submit(CASES);
    await until('the first scored cases', async () => (await caseIndexes(runId)).length >= 5);

    await broker.stop();
    const stoppedAt = Date.now();
    await until('runs /readyz to say not ready', async () => !(await ready(runs)), OUTAGE_MS);
    await until('gateway /readyz to say not ready', async () => !(await ready(gateway)), OUTAGE_MS);
    expect((await caseIndexes(runId)).length).toBeLessThan(CASES); // the outage is in the middle of the run
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt))));
    await broker.resume();

    const view = await completedView(runId);
    expect(view.counts).toEqual(expect.objectContaining({ evaluated: CASES, failed: 0 }));
    expect((await caseIndexes(runId)).sort((a, b) => a - b)).toEqual(Array.from({ length: CASES }, (_, i) => i));
    await until('runs /readyz ready again', () => ready(runs));
    await until('gateway /readyz ready again', () => ready(gateway));

    // Runs submitted after the outage are relayed and scored too (a short one: relaying is what is in question).
    const after = await submit(AFTER_CASES);
    expect((await completedView(after)).counts).toEqual(expect.objectContaining({ evaluated: AFTER_CASES, failed: 0 }));
    expect(runs.logLines('loop recovered').length + runs.logLines('relay starting').length).toBeGreaterThan(1);
  });
});
