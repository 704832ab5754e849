import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { CustomTransportStrategy } from '@nestjs/microservices';
import pg from 'pg';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import {
  EventCodec,
  evaluatedCases,
  type EvalVaultEvent,
  type RunCompleted,
  type RunRequested,
} from '@evalvault/contracts';
import { FakeLlmServer } from '@evalvault/llm/testing';
import { migrateEventStore, PostgresEventStore, runMigrations, type CommandContext } from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import { loadConfig } from '../config.js';
import { RUNS_MIGRATIONS, RUNS_SCHEMA } from '../migrations/runs.migrations.js';
import { runStreamId } from '../run/run.repository.js';
import { scheduledBatches } from '../planning/testing/scheduled-batches.js';
import { RUNS_SERVICE, type RunsParts } from '../runs.service.js';

const WINDOW_MS = 1_000;
const LIMIT = 8; // per window: 480 a minute
const KEY_VARIABLE = 'RUNS_RATE_LIMIT_TEST_KEY';

/**
 * Runs with the LLM-judged faithfulness metric (two judge calls a case) scored by three
 * workers, each composed from the service's own declaration with its own pool, logger and
 * metrics registry — as three processes would be — against a local vendor enforcing a
 * rolling-window request limit equal to the platform's. The vendor's tally is the truth.
 */
describe('runs judged at the vendor limit by three workers', () => {
  let llm: FakeLlmServer;
  let dataSource: DataSource;
  const pools: pg.Pool[] = [];
  const stores: PostgresEventStore[] = [];
  const model = `judge-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    process.env[KEY_VARIABLE] = 'limit-test-key';
    await migrateEventStore(testDatabaseUrl());
    await runMigrations(testDatabaseUrl(), RUNS_SCHEMA, RUNS_MIGRATIONS);
    dataSource = await new DataSource({ type: 'postgres', url: testDatabaseUrl(), logging: false }).initialize();
    llm = await FakeLlmServer.start({
      apiKeys: ['limit-test-key'],
      rateLimit: { requests: LIMIT, windowMs: WINDOW_MS },
      latencyMs: 30,
      script: (request) => {
        const prompt = request.messages.map((m) => m.content).join('\n');
        if (prompt.includes('"claims"'))
          return {
            text: JSON.stringify({ claims: ['claim one', 'claim two'] }),
            promptTokens: 300,
            completionTokens: 20,
          };
        return {
          text: JSON.stringify({
            verdicts: [
              { claim: 1, reason: 'stated', verdict: 1 },
              { claim: 2, reason: 'absent', verdict: 0 },
            ],
          }),
          promptTokens: 400,
          completionTokens: 60,
        };
      },
    });
  });
  afterAll(async () => {
    await llm.close();
    await Promise.all(stores.map((store) => store.close()));
    await Promise.all(pools.map((pool) => pool.end()));
    await dataSource.destroy();
  });

  interface Composed {
    parts: RunsParts;
    store: PostgresEventStore;
    registry: Registry;
    logs: Record<string, unknown>[];
  }

  /** One process's runs service, composed as its main.ts would, on adapters of its own. */
  async function compose(roles: string): Promise<Composed> {
    const pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 6 });
    pools.push(pool);
    const store = new PostgresEventStore(pool, new EventCodec());
    stores.push(store);
    const logs: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const registry = new Registry();
    const config = loadConfig({
      DATABASE_URL: testDatabaseUrl(),
      RUNS_ROLES: roles,
      RUNS_WORKER_CONCURRENCY: '4',
      RUNS_BATCH_SIZE: '4',
      EVALVAULT_JUDGE_PROVIDER: 'openai',
      EVALVAULT_JUDGE_BASE_URL: llm.url,
      EVALVAULT_JUDGE_MODEL: model,
      EVALVAULT_JUDGE_API_KEY_REF: `env:${KEY_VARIABLE}`,
      // The vendor's limit, stated per minute, counted over the test's short window.
      EVALVAULT_JUDGE_REQUESTS_PER_MINUTE: String((LIMIT * 60_000) / WINDOW_MS),
      EVALVAULT_JUDGE_RATE_WINDOW_MS: String(WINDOW_MS),
      EVALVAULT_JUDGE_PRICE_INPUT_PER_MTOK: '10',
      EVALVAULT_JUDGE_PRICE_OUTPUT_PER_MTOK: '30',
    });
    const idle = { listen: () => undefined, close: () => undefined } as unknown as CustomTransportStrategy;
    const composed = await RUNS_SERVICE.compose(
      config,
      {
        pool,
        dataSource,
        store,
        kafka: null,
        logger: pino({ level: 'info' }, sink),
        registry,
        eventServer: () => idle,
      },
      undefined,
    );
    return { parts: composed.exports, store, registry, logs };
  }

  const context = (): CommandContext => ({
    tenantId: `tenant-${randomUUID()}`,
    projectId: `project-${randomUUID()}`,
    actor: { subject: 'ci', authMethod: 'api_key', apiKeyId: null },
    correlationId: randomUUID(),
    causationId: null,
  });

  /** Plans a faithfulness run of `count` cases and has the workers take its batches as they come free. */
  async function judgedRun(planner: Composed, workers: Composed[], count: number): Promise<EvalVaultEvent[]> {
    const nonce = randomUUID().slice(0, 8);
    const cases = Array.from({ length: count }, (_, index) => ({
      id: `c${index}`,
      question: `What is item ${index} (${nonce})?`,
      answer: `Item ${index} is a thing`,
      contexts: [`Item ${index} is a thing of note (${nonce}).`],
    }));
    const { runId } = await planner.parts.commands.submitRun(
      { dataset: { name: 'at-the-limit', cases }, metrics: ['faithfulness'], gate: { rules: [] } },
      context(),
    );
    const events = async () => (await planner.store.readStream(runStreamId(runId))).map((r) => r.event);
    await planner.parts.planner.plan((await events())[0] as RunRequested);
    const batches = await scheduledBatches(planner.store, runId);
    await Promise.all(
      workers.map(async (worker) => {
        for (let batch = batches.shift(); batch; batch = batches.shift()) await worker.parts.worker.work(batch);
      }),
    );
    return events();
  }

  const metric = async (composed: Composed[], name: string, labels: Record<string, string> = {}) => {
    let total = 0;
    for (const { registry } of composed) {
      for (const value of (await registry.getSingleMetric(name)?.get())?.values ?? []) {
        if (Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted)) total += value.value;
      }
    }
    return total;
  };

  const billedUsd = (before: ReturnType<FakeLlmServer['counts']>): number => {
    const now = llm.counts();
    return (
      ((now.billedPromptTokens - before.billedPromptTokens) * 10 +
        (now.billedCompletionTokens - before.billedCompletionTokens) * 30) /
      1_000_000
    );
  };

  it('sends no request over the limit, gets no 429, and reports the cost the vendor billed', async () => {
    const planner = await compose('planner');
    const workers = [await compose('worker'), await compose('worker'), await compose('worker')];
    const before = llm.counts();
    const CASES = 12;
    const events = await judgedRun(planner, workers, CASES);

    const completed = events.find((e): e is RunCompleted => e.type === 'RunCompleted');
    expect(completed?.payload).toMatchObject({ totalCases: CASES, evaluatedCases: CASES, failedCases: 0 });
    const after = llm.counts();
    expect(after.requests - before.requests).toBe(2 * CASES);
    expect(after.rateLimited - before.rateLimited).toBe(0);
    expect(llm.maxRequestsInWindow(WINDOW_MS)).toBeLessThanOrEqual(LIMIT);
    // Each case scored once, and the run's reported usage is exactly what the vendor billed.
    const scored = events.flatMap((e) => (e.type === 'CaseEvaluated' ? evaluatedCases(e.payload) : []));
    expect(new Set(scored.map((c) => c.caseIndex)).size).toBe(CASES);
    expect(scored).toHaveLength(CASES);
    expect(completed!.payload.usage).toMatchObject({
      requests: after.billedRequests - before.billedRequests,
      promptTokens: after.billedPromptTokens - before.billedPromptTokens,
      completionTokens: after.billedCompletionTokens - before.billedCompletionTokens,
    });
    expect(completed!.payload.usage!.costUsd).toBeCloseTo(billedUsd(before), 12);
    expect(await metric(workers, 'llm_attempts_total', { outcome: 'ok' })).toBe(2 * CASES);
  });

  it('retries a 429 through the shared limit, logged by the worker, in its metrics; no case fails', async () => {
    const planner = await compose('planner');
    const workers = [await compose('worker'), await compose('worker'), await compose('worker')];
    const before = llm.counts();
    const received = llm.received.length;
    llm.enqueue({ status: 429, retryAfterMs: 200 }, { status: 429, retryAfterMs: 200 }, { status: 429 });
    const CASES = 4;
    const events = await judgedRun(planner, workers, CASES);

    const completed = events.find((e): e is RunCompleted => e.type === 'RunCompleted');
    expect(completed?.payload).toMatchObject({ evaluatedCases: CASES, failedCases: 0 });
    expect(llm.received.slice(received).filter((r) => r.status === 429)).toHaveLength(3);
    const retries = workers
      .flatMap((w) => w.logs)
      .filter((line) => line['msg'] === 'LLM call failed; retrying' && line['status'] === 429);
    expect(retries).toHaveLength(3);
    for (const line of retries)
      expect(line).toMatchObject({ reason: 'rate_limited', model, waitMs: expect.any(Number) });
    expect(await metric(workers, 'llm_retries_total', { reason: 'rate_limited' })).toBe(3);
    expect(await metric(workers, 'llm_rate_limited_total')).toBe(3);
    expect(await metric(workers, 'llm_attempts_total')).toBe(2 * CASES + 3);
    expect(completed!.payload.usage!.requests).toBe(llm.counts().billedRequests - before.billedRequests);
    expect(completed!.payload.usage!.costUsd).toBeCloseTo(billedUsd(before), 12);
  });
});
