import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { startTelemetry, type Telemetry } from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import { BudgetGuard } from '../budget/budget-guard.js';
import { ResponseCache } from '../cache/response-cache.js';
import { PriceTable } from '../cost/price-table.js';
import { UsageMeter } from '../cost/usage-meter.js';
import { LlmErrorCode } from '../llm-error.js';
import { OpenAiCompatibleProvider } from '../providers/openai-compatible.provider.js';
import { PostgresRateLimiter } from '../rate-limit/postgres-rate-limiter.js';
import { FakeLlmServer } from '../testing/index.js';
import { migrateLlmTestSchema } from '../testing/llm-test-schema.js';
import { LlmJudgeClient, type LlmJudgeClientOptions } from './llm-judge-client.js';

const KEY = 'sk-judge-test';
// $10 per million tokens either way: 1,000 tokens cost one cent.
const prices = new PriceTable({ 'judge-model': { inputUsdPerMillion: 10, outputUsdPerMillion: 10 } });
const claims = {
  purpose: 'faithfulness.claims',
  system: 'Extract claims as JSON.',
  prompt: `Answer: Paris is in France. (${randomUUID()})`,
  json: true,
};

describe('LLM judge client', () => {
  let server: FakeLlmServer;
  let pool: pg.Pool;
  let schema: string;
  let telemetry: Telemetry;
  const spans = new InMemorySpanExporter();

  const judge = (overrides: Partial<LlmJudgeClientOptions> = {}) => {
    const meter = overrides.meter ?? new UsageMeter();
    const client = new LlmJudgeClient({
      provider: new OpenAiCompatibleProvider({ baseUrl: server.url, apiKey: async () => KEY }),
      model: 'judge-model',
      owner: { tenantId: `tenant-${randomUUID()}`, projectId: 'default' },
      meter,
      prices,
      cache: new ResponseCache(pool, schema),
      budget: new BudgetGuard(pool, schema),
      rateLimiter: new PostgresRateLimiter(pool, schema, { limitFor: () => ({ requestsPerWindow: 6_000 }) }),
      reliability: { baseDelayMs: 1, maxAttempts: 2 },
      ...overrides,
    });
    return { client, meter };
  };

  beforeAll(async () => {
    telemetry = startTelemetry('llm-judge-test', {
      exportSpans: false,
      spanProcessors: [new SimpleSpanProcessor({ exporter: spans })],
    });
    schema = await migrateLlmTestSchema();
    pool = new pg.Pool({ connectionString: testDatabaseUrl() });
  });
  afterAll(async () => {
    await pool.end();
    await telemetry.shutdown();
  });
  beforeEach(async () => {
    server = await FakeLlmServer.start({ apiKeys: [KEY] });
    server.respondWith(() => ({ text: '{"claims":["Paris is in France"]}', promptTokens: 600, completionTokens: 400 }));
    spans.reset();
  });
  afterEach(async () => {
    await server.close();
  });

  it("answers, meters the call and adds its cost to the project's spend, in a span", async () => {
    const budget = new BudgetGuard(pool, schema);
    const owner = { tenantId: `tenant-${randomUUID()}`, projectId: 'default' };
    const { client, meter } = judge({ budget, owner });
    await expect(client.complete({ ...claims, prompt: `${claims.prompt} ${randomUUID()}` })).resolves.toBe(
      '{"claims":["Paris is in France"]}',
    );
    expect(meter.summary()).toMatchObject({
      requests: 1,
      cacheHits: 0,
      promptTokens: 600,
      completionTokens: 400,
      costUsd: 0.01,
    });
    expect((await budget.spendOf(owner)).spentUsd).toBeCloseTo(0.01);
    const [span] = spans.getFinishedSpans().filter((finished) => finished.name === 'llm.judge');
    expect(span?.attributes).toMatchObject({
      'llm.purpose': 'faithfulness.claims',
      'llm.model': 'judge-model',
      'llm.cached': false,
      'llm.cost_usd': 0.01,
    });
  });

  it('answers a repeated request from the cache without a second HTTP request, and meters the hit', async () => {
    const request = { ...claims, prompt: `${claims.prompt} ${randomUUID()}` };
    const owner = { tenantId: `tenant-${randomUUID()}`, projectId: 'default' };
    const { client, meter } = judge({ owner });
    const first = await client.complete(request);
    const { client: otherWorker } = judge({ meter, owner });
    await expect(otherWorker.complete(request)).resolves.toBe(first);
    expect(server.requestCount).toBe(1);
    expect(meter.summary()).toMatchObject({ requests: 1, cacheHits: 1, costUsd: 0.01 });
    expect(meter.summary().byPurpose['faithfulness.claims']).toMatchObject({ requests: 1, cacheHits: 1 });
  });

  it("asks the provider again for another tenant's identical request: no answer crosses tenants", async () => {
    const request = { ...claims, prompt: `${claims.prompt} ${randomUUID()}` };
    const { client } = judge({ owner: { tenantId: `tenant-${randomUUID()}`, projectId: 'default' } });
    const { client: otherTenant, meter } = judge({
      owner: { tenantId: `tenant-${randomUUID()}`, projectId: 'default' },
    });
    await client.complete(request);
    await otherTenant.complete(request);
    expect(server.requestCount).toBe(2);
    expect(meter.summary()).toMatchObject({ requests: 1, cacheHits: 0 });
  });

  it('stops calling once the project budget would be exceeded', async () => {
    const budget = new BudgetGuard(pool, schema);
    const owner = { tenantId: `tenant-${randomUUID()}`, projectId: 'default' };
    await budget.setBudget(owner, 0.025);
    const { client, meter } = judge({ budget, owner, maxTokens: 1_000 });
    // Each call is estimated at about a cent (1,000 answer tokens plus the prompt) and costs one:
    // 0 + 1 ≤ 2.5, 1 + 1 ≤ 2.5, then 2 + 1 > 2.5 cents.
    await client.complete({ ...claims, prompt: `first ${randomUUID()}` });
    await client.complete({ ...claims, prompt: `second ${randomUUID()}` });
    await expect(client.complete({ ...claims, prompt: `third ${randomUUID()}` })).rejects.toMatchObject({
      code: LlmErrorCode.BudgetExceeded,
    });
    expect(server.requestCount).toBe(2);
    expect(meter.summary().requests).toBe(2);
    expect((await budget.spendOf(owner)).spentUsd).toBeCloseTo(0.02);
  });

  it('refuses an answer that is not the JSON asked for, still paying for it, and does not cache it', async () => {
    server.respondWith(() => ({ text: 'Sure! Here are the claims...', promptTokens: 100, completionTokens: 100 }));
    const request = { ...claims, prompt: `${claims.prompt} ${randomUUID()}` };
    const { client, meter } = judge();
    await expect(client.complete(request)).rejects.toMatchObject({ code: LlmErrorCode.BadResponse });
    await expect(client.complete(request)).rejects.toMatchObject({ code: LlmErrorCode.BadResponse });
    expect(server.requestCount).toBe(2);
    expect(meter.summary()).toMatchObject({ requests: 2, cacheHits: 0 });
  });

  it('sends the judge prompt as system and user messages at temperature 0', async () => {
    const { client } = judge();
    const prompt = `Is it faithful? JSON please. (${randomUUID()})`;
    await client.complete({ ...claims, prompt });
    expect(server.requests[0]?.body).toMatchObject({
      model: 'judge-model',
      temperature: 0,
      messages: [
        { role: 'system', content: claims.system },
        { role: 'user', content: prompt },
      ],
      response_format: { type: 'json_object' },
    });
  });
});
