import { randomUUID } from 'node:crypto';
import type { CustomTransportStrategy } from '@nestjs/microservices';
import pg from 'pg';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import {
  EventCodec,
  type CaseFailed,
  type EvalVaultEvent,
  type RunCompleted,
  type RunRequested,
} from '@evalvault/contracts';
import { FakeLlmServer, type FakeLlmTally, type FakeReply } from '@evalvault/llm/testing';
import { migrateEventStore, PostgresEventStore, runMigrations, type CommandContext } from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import { loadConfig } from '../config.js';
import { RUNS_MIGRATIONS, RUNS_SCHEMA } from '../migrations/runs.migrations.js';
import { runStreamId } from '../run/run.repository.js';
import { scheduledBatches } from '../planning/testing/scheduled-batches.js';
import { RUNS_SERVICE, type RunsParts } from '../runs.service.js';

const KEY_VARIABLE = 'RUNS_FAILED_USAGE_TEST_KEY';
const PRICE_INPUT_PER_MTOK = 10;
const PRICE_OUTPUT_PER_MTOK = 30;

/** How the fake judge treats a case, by the marker in its answer and contexts. */
const CLAIMS: FakeReply = { text: JSON.stringify({ claims: ['claim one', 'claim two'] }), promptTokens: 300 };
const VERDICTS = JSON.stringify({
  verdicts: [
    { claim: 1, reason: 'stated', verdict: 1 },
    { claim: 2, reason: 'absent', verdict: 0 },
  ],
});

function judgeReply(prompt: string): FakeReply {
  const claimsCall = prompt.includes('"claims"');
  // The judge answers the claims call with prose: the case fails on its first, paid answer.
  if (prompt.includes('UNPARSABLE')) return claimsCall ? { text: 'Two claims: one, two.', promptTokens: 310 } : {};
  if (claimsCall) return CLAIMS;
  // The claims were paid for; then the verdicts come back one short, fail, or are refused.
  if (prompt.includes('SHORT'))
    return { text: JSON.stringify({ verdicts: [{ claim: 1, reason: 'x', verdict: 1 }] }), promptTokens: 420 };
  if (prompt.includes('DOWN')) return { status: 503 };
  if (prompt.includes('REFUSED')) return { status: 400 };
  return { text: VERDICTS, promptTokens: 400, completionTokens: 60 };
}

/**
 * Cases that fail after their judge calls were paid for (an unusable answer, a second call
 * that failed after the first was answered, retries that ran out), scored with the LLM-judged
 * faithfulness metric against a local vendor: the run reports as spent exactly what the vendor
 * billed, and so does the read model (requests, tokens, cost). Each batch and each event is delivered twice, as
 * at-least-once delivery may.
 */
describe('the usage of a run whose cases fail after paid calls', () => {
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
      RUNS_WORKER_CONCURRENCY: '4',
      RUNS_BATCH_SIZE: '4',
      EVALVAULT_JUDGE_PROVIDER: 'openai',
      EVALVAULT_JUDGE_BASE_URL: llm.url,
      EVALVAULT_JUDGE_MODEL: model,
      EVALVAULT_JUDGE_API_KEY_REF: `env:${KEY_VARIABLE}`,
      EVALVAULT_JUDGE_REQUESTS_PER_MINUTE: '60000',
      EVALVAULT_JUDGE_MAX_ATTEMPTS: '3',
      EVALVAULT_JUDGE_PRICE_INPUT_PER_MTOK: String(PRICE_INPUT_PER_MTOK),
      EVALVAULT_JUDGE_PRICE_OUTPUT_PER_MTOK: String(PRICE_OUTPUT_PER_MTOK),
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

  const context = (): CommandContext => ({
    tenantId: `tenant-${randomUUID()}`,
    projectId: `project-${randomUUID()}`,
    actor: { subject: 'ci', authMethod: 'api_key', apiKeyId: null },
    correlationId: randomUUID(),
    causationId: null,
  });

  /** Plans a faithfulness run of cases marked as named and works every batch twice. */
  async function judgedRun(markers: string[], ctx: CommandContext): Promise<EvalVaultEvent[]> {
    const nonce = randomUUID().slice(0, 8); // no answer cached by an earlier run
    const cases = markers.map((marker, index) => ({
      id: `c${index}`,
      question: `What is ${marker} (${nonce})?`,
      answer: `${marker} is a thing`,
      contexts: [`${marker} is a thing of note (${nonce}).`],
    }));
    const { runId } = await parts.commands.submitRun(
      { dataset: { name: 'paid-failures', cases }, metrics: ['faithfulness'], gate: { rules: [] } },
      ctx,
    );
    const events = async () => (await store.readStream(runStreamId(runId))).map((r) => r.event);
    await parts.planner.plan((await events())[0] as RunRequested);
    const batches = await scheduledBatches(store, runId);
    expect(batches).toHaveLength(Math.ceil(markers.length / 4));
    for (const batch of batches) {
      await parts.worker.work(batch);
      await parts.worker.work(batch); // redelivered: nothing is scored, nor paid for, twice
    }
    return events();
  }

  const billedUsd = (tally: FakeLlmTally): number =>
    (tally.billedPromptTokens * PRICE_INPUT_PER_MTOK + tally.billedCompletionTokens * PRICE_OUTPUT_PER_MTOK) / 1e6;
  const since = (before: FakeLlmTally): FakeLlmTally => {
    const now = llm.counts();
    return {
      requests: now.requests - before.requests,
      rateLimited: now.rateLimited - before.rateLimited,
      billedRequests: now.billedRequests - before.billedRequests,
      billedPromptTokens: now.billedPromptTokens - before.billedPromptTokens,
      billedCompletionTokens: now.billedCompletionTokens - before.billedCompletionTokens,
    };
  };

  it('reports the requests, tokens and cost the vendor billed, failed cases included', async () => {
    const before = llm.counts();
    // Duplicated cases too: the same questions asked again are paid again unless the cache answers.
    const markers = ['ALPHA', 'BETA', 'ALPHA', 'UNPARSABLE', 'UNPARSABLE', 'SHORT', 'DOWN', 'REFUSED', 'GAMMA'];
    const ctx = context();
    const events = await judgedRun(markers, ctx);
    const billed = since(before);

    const failures = events.filter((e): e is CaseFailed => e.type === 'CaseFailed');
    const failed = Object.fromEntries(
      failures.map(({ payload: p }) => [
        `${markers[p.caseIndex]}#${p.caseIndex}`,
        { code: p.errorCode, paidRequests: p.usage?.requests, reason: p.reason },
      ]),
    );
    // An unusable first answer; the claims paid, then verdicts one short, unavailable after 3 attempts, refused.
    const paid = (code: string, paidRequests: number) => ({ code, paidRequests, reason: expect.any(String) });
    expect(failed).toEqual({
      'UNPARSABLE#3': paid('LLM_BAD_RESPONSE', 1),
      'UNPARSABLE#4': paid('LLM_BAD_RESPONSE', 1),
      'SHORT#5': paid('JUDGE_BAD_OUTPUT', 2),
      'DOWN#6': paid('LLM_UNAVAILABLE', 1),
      'REFUSED#7': paid('LLM_BAD_REQUEST', 1),
    });
    const completed = events.find((e): e is RunCompleted => e.type === 'RunCompleted');
    expect(completed?.payload).toMatchObject({ totalCases: 9, evaluatedCases: 4, failedCases: 5 });
    expect(billed.requests - billed.billedRequests).toBe(3 + 1); // three 503s and a 400: answered, never billed

    expect(completed!.payload.usage).toMatchObject({
      requests: billed.billedRequests,
      promptTokens: billed.billedPromptTokens,
      completionTokens: billed.billedCompletionTokens,
    });
    expect(completed!.payload.usage!.costUsd).toBeCloseTo(billedUsd(billed), 12);

    // The read model's usage: while the run goes on (the cases' own), and once it completed. Each event is
    // delivered twice, as at-least-once delivery may: the inbox counts it once.
    const projected = async (upTo: (e: EvalVaultEvent) => boolean) => {
      for (const event of events.filter(upTo)) {
        await parts.projection.apply(event);
        expect(await parts.projection.apply(event)).toBe(false);
      }
      return (await parts.queries.getRun(ctx.tenantId, ctx.projectId, completed!.payload.runId))!;
    };
    const billedUsage = {
      requests: billed.billedRequests,
      promptTokens: billed.billedPromptTokens,
      completionTokens: billed.billedCompletionTokens,
      totalTokens: billed.billedPromptTokens + billed.billedCompletionTokens,
      // The duplicated questions are answered from the cache when one was scored before the other asked.
      cacheHits: completed!.payload.usage!.cacheHits,
      costUsd: expect.any(Number),
    };
    const isCase = (e: EvalVaultEvent) => !['RunCompleted', 'GatePassed', 'GateFailed'].includes(e.type);
    for (const view of [await projected(isCase), await projected((e) => !isCase(e))]) {
      expect(view.costUsd).toBeCloseTo(billedUsd(billed), 8);
      expect(view.usage).toEqual(billedUsage);
      expect(view.usage!.costUsd).toBeCloseTo(billedUsd(billed), 8);
    }
    expect(billed.billedPromptTokens).toBeGreaterThan(0);
  });
});
