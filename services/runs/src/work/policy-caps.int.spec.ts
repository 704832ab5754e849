import { randomUUID } from 'node:crypto';
import type { CustomTransportStrategy } from '@nestjs/microservices';
import pg from 'pg';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { EventCodec, type EvalVaultEvent, type ProjectPolicy, type RunRequested } from '@evalvault/contracts';
import { BudgetGuard } from '@evalvault/llm';
import { FakeLlmServer, type FakeReply } from '@evalvault/llm/testing';
import { migrateEventStore, PostgresEventStore, runMigrations, type CommandContext } from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import { loadConfig } from '../config.js';
import { RUNS_MIGRATIONS, RUNS_SCHEMA } from '../migrations/runs.migrations.js';
import { runStreamId } from '../run/run.repository.js';
import { RunErrorCode } from '../run/run.errors.js';
import { scheduledBatches } from '../planning/testing/scheduled-batches.js';
import { RUNS_SERVICE, type RunsParts } from '../runs.service.js';

const KEY_VARIABLE = 'RUNS_POLICY_CAPS_TEST_KEY';
/** Every judge call is billed 1,000 prompt tokens at 100 USD a million: 0.1 USD; faithfulness makes two a case. */
const CALL_USD = 0.1;
const DAILY_CAP_USD = 0.5;

function judgeReply(prompt: string): FakeReply {
  if (prompt.includes('"claims"'))
    return { text: JSON.stringify({ claims: ['claim one'] }), promptTokens: 1000, completionTokens: 0 };
  const verdicts = { verdicts: [{ claim: 1, reason: 'stated', verdict: 1 }] };
  return { text: JSON.stringify(verdicts), promptTokens: 1000, completionTokens: 0 };
}

/**
 * A project's daily cap (its policy, pinned by each run at submission) counts the project's LLM
 * spend across its runs: a run that crosses it stops cleanly with RunFailed{reason: budget} and
 * pays for no further call, and the next judged run is refused at submission naming the cap.
 * The judge is a local fake vendor; batches are worked directly, as the workers would.
 */
describe("a project policy's daily cap", () => {
  let llm: FakeLlmServer;
  let dataSource: DataSource;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let parts: RunsParts;
  const model = `judge-${randomUUID().slice(0, 8)}`;
  const apiKey = `test-${randomUUID()}`;

  beforeAll(async () => {
    process.env[KEY_VARIABLE] = apiKey;
    await migrateEventStore(testDatabaseUrl());
    await runMigrations(testDatabaseUrl(), RUNS_SCHEMA, RUNS_MIGRATIONS);
    dataSource = await new DataSource({ type: 'postgres', url: testDatabaseUrl(), logging: false }).initialize();
    llm = await FakeLlmServer.start({
      apiKeys: [apiKey],
      script: (request) => judgeReply(request.messages.map((m) => m.content).join('\n')),
    });
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 6 });
    store = new PostgresEventStore(pool, new EventCodec());
    const config = loadConfig({
      DATABASE_URL: testDatabaseUrl(),
      RUNS_ROLES: 'planner,worker',
      RUNS_WORKER_CONCURRENCY: '1',
      RUNS_BATCH_SIZE: '4',
      EVALVAULT_JUDGE_PROVIDER: 'openai',
      EVALVAULT_JUDGE_BASE_URL: llm.url,
      EVALVAULT_JUDGE_MODEL: model,
      EVALVAULT_JUDGE_API_KEY_REF: `env:${KEY_VARIABLE}`,
      EVALVAULT_JUDGE_REQUESTS_PER_MINUTE: '60000',
      EVALVAULT_JUDGE_PRICE_INPUT_PER_MTOK: String(CALL_USD * 1000),
      EVALVAULT_JUDGE_PRICE_OUTPUT_PER_MTOK: '0',
    });
    const idle = { listen: () => undefined, close: () => undefined } as unknown as CustomTransportStrategy;
    const adapters = {
      pool,
      dataSource,
      store,
      kafka: null,
      logger: pino({ level: 'silent' }),
      registry: new Registry(),
    };
    parts = (await RUNS_SERVICE.compose(config, { ...adapters, eventServer: () => idle }, undefined)).exports;
  });
  afterAll(async () => {
    await llm.close();
    await store.close();
    await pool.end();
    await dataSource.destroy();
  });

  const context: CommandContext = {
    tenantId: `tenant-${randomUUID()}`,
    projectId: `project-${randomUUID()}`,
    actor: { subject: 'ci', authMethod: 'api_key', apiKeyId: null },
    correlationId: randomUUID(),
    causationId: null,
  };
  const policy: ProjectPolicy = {
    revision: 1,
    allowedModels: null,
    allowedMetrics: null,
    dailyCapUsd: DAILY_CAP_USD,
    monthlyCapUsd: null,
    approvedVersionsOnly: false,
  };
  const judgedRun = (cases: number) => {
    const nonce = randomUUID().slice(0, 8); // no answer cached by another case or run
    return {
      dataset: {
        name: 'capped',
        cases: Array.from({ length: cases }, (_, index) => ({
          question: `What is item ${index} (${nonce})?`,
          answer: `Item ${index} is a thing.`,
          contexts: [`Item ${index} is a thing of note (${nonce}).`],
        })),
      },
      metrics: ['faithfulness'],
      policy,
    };
  };

  /** Submits, plans and works every batch of a run; its events. */
  async function worked(input: ReturnType<typeof judgedRun>): Promise<EvalVaultEvent[]> {
    const { runId } = await parts.commands.submitRun(input, context);
    const events = async () => (await store.readStream(runStreamId(runId))).map((r) => r.event);
    await parts.planner.plan((await events())[0] as RunRequested);
    for (const batch of await scheduledBatches(store, runId)) await parts.worker.work(batch);
    return events();
  }
  const types = (events: EvalVaultEvent[]) => events.map((event) => event.type);

  it('stops the run that crosses it with RunFailed{reason: budget}, and refuses the next judged run', async () => {
    const first = await worked(judgedRun(2)); // 4 calls: 0.4 USD of today's 0.5
    expect(types(first)).toContain('RunCompleted');
    expect((first[0] as RunRequested).payload.policy).toEqual(policy);

    const before = llm.counts().billedRequests;
    const second = await worked(judgedRun(4));
    // Its first call brings the day to the cap; its second would pass it and is never made.
    expect(llm.counts().billedRequests - before).toBe(1);
    expect(types(second)).not.toContain('RunCompleted');
    const failed = second.find((event) => event.type === 'RunFailed');
    expect(failed?.payload).toMatchObject({
      reason: 'budget',
      message: expect.stringMatching(/daily LLM cap of 0\.5 USD \(\d{4}-\d{2}-\d{2} UTC\) would be exceeded/),
    });
    const spend = await new BudgetGuard(pool, RUNS_SCHEMA).periodSpendOf(context);
    expect(spend.todayUsd).toBeCloseTo(DAILY_CAP_USD, 8);

    await expect(parts.commands.submitRun(judgedRun(1), context)).rejects.toMatchObject({
      code: RunErrorCode.PolicyViolation,
      message: expect.stringMatching(/^project policy \(revision 1\): dailyCapUsd 0\.5 is spent \(0\.5 USD on /),
    });
    // A run that calls no model spends nothing: the cap does not stop it.
    const deterministic = { ...judgedRun(1), metrics: ['token_f1'] };
    await expect(parts.commands.submitRun(deterministic, context)).resolves.toMatchObject({ status: 'requested' });
  });
});
