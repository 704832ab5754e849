import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Registry } from 'prom-client';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import { PriceTable } from '../cost/price-table.js';
import { UsageMeter } from '../cost/usage-meter.js';
import { OpenAiCompatibleProvider } from '../providers/openai-compatible.provider.js';
import { PostgresRateLimiter } from '../rate-limit/postgres-rate-limiter.js';
import { llmMetrics } from '../reliability/llm-metrics.js';
import { FakeLlmServer } from '../testing/index.js';
import { migrateLlmTestSchema } from '../testing/llm-test-schema.js';
import { LlmJudgeClient } from './llm-judge-client.js';

const KEY = 'sk-at-the-limit';
const WINDOW_MS = 1_000;
const LIMIT = 8;
// Generous for a loaded test machine: a request granted its slot can reach the vendor late (a
// starved event loop, a busy CI host), and it must still not share a window with the next
// window's first request. 100 ms was once not enough with the whole suite on two cores.
const MARGIN_MS = 400;
// $10 per million tokens either way.
const prices = new PriceTable({ 'judge-model': { inputUsdPerMillion: 10, outputUsdPerMillion: 10 } });

/**
 * The limiter prunes grants older than two windows whenever it reserves a slot, so on a slow host
 * the first grants of a test can be gone before it counts them. This file's own schema keeps a
 * record of every grant the limiter let go: moved with its slot, dropped only when the caller gave
 * it up (a release happens at or near its slot; a prune only two paced windows after it).
 */
async function recordEveryGrant(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    await client.query(`
      CREATE TABLE IF NOT EXISTS "${schema}".grant_record (
        grant_id bigint PRIMARY KEY, limit_key text NOT NULL, slot_ms double precision NOT NULL)`);
    await client.query(`
      CREATE OR REPLACE FUNCTION "${schema}".record_grant() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO "${schema}".grant_record VALUES (NEW.grant_id, NEW.limit_key, NEW.slot_ms);
        ELSIF TG_OP = 'UPDATE' THEN
          UPDATE "${schema}".grant_record SET slot_ms = NEW.slot_ms WHERE grant_id = NEW.grant_id;
        ELSIF OLD.slot_ms >= EXTRACT(EPOCH FROM clock_timestamp()) * 1000 - ${2 * (WINDOW_MS + MARGIN_MS)} THEN
          DELETE FROM "${schema}".grant_record WHERE grant_id = OLD.grant_id;
        END IF;
        RETURN NULL;
      END
      $fn$`);
    await client.query(`
      CREATE OR REPLACE TRIGGER record_grant AFTER INSERT OR UPDATE OR DELETE
      ON "${schema}".llm_rate_limit_grants FOR EACH ROW EXECUTE FUNCTION "${schema}".record_grant()`);
  } finally {
    await client.end();
  }
}

interface LogLine {
  details: Record<string, unknown>;
  message: string;
}

/**
 * Three workers, each with its own connection pool, limiter, logger and metrics registry (as
 * three processes would have), share one PostgreSQL limit set to exactly what a local vendor
 * allows over its rolling window. Counts are asserted, never durations: the vendor's own
 * tally of what it received, refused and billed against the workers' meters and metrics.
 */
describe('judges of three workers at the vendor limit', () => {
  let schema: string;
  let server: FakeLlmServer;
  const pools: pg.Pool[] = [];

  beforeAll(async () => {
    schema = await migrateLlmTestSchema('llm_test_at_the_limit');
    await recordEveryGrant(schema);
  });
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
  });
  beforeEach(async () => {
    server = await FakeLlmServer.start({
      apiKeys: [KEY],
      rateLimit: { requests: LIMIT, windowMs: WINDOW_MS },
      latencyMs: 30,
      script: () => ({ text: '{"verdict":"yes"}', promptTokens: 120, completionTokens: 30 }),
    });
  });
  afterEach(async () => {
    await server.close();
  });

  function worker(model: string) {
    const pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 4 });
    pools.push(pool);
    const registry = new Registry();
    const logs: LogLine[] = [];
    const limiter = new PostgresRateLimiter(pool, schema, {
      limitFor: () => ({ requestsPerWindow: LIMIT }),
      windowMs: WINDOW_MS,
      marginMs: MARGIN_MS,
    });
    const meter = new UsageMeter();
    const judge = new LlmJudgeClient({
      provider: new OpenAiCompatibleProvider({ baseUrl: server.url, apiKey: async () => KEY }),
      model,
      owner: { tenantId: `tenant-${randomUUID()}`, projectId: 'default' },
      meter,
      prices,
      rateLimiter: limiter,
      reliability: {
        baseDelayMs: 1,
        logger: { warn: (details, message) => logs.push({ details: details as Record<string, unknown>, message }) },
        metrics: llmMetrics(registry),
      },
    });
    return { judge, meter, registry, logs, limiter };
  }

  /** Each worker scores its share of the calls, four at a time, like a case worker's lanes. */
  async function callAll(workers: ReturnType<typeof worker>[], calls: number): Promise<void> {
    const next = { index: 0 };
    await Promise.all(
      workers.flatMap((w) =>
        Array.from({ length: 4 }, async () => {
          while (next.index < calls) {
            const index = next.index++;
            await w.judge.complete({
              purpose: 'claims',
              prompt: `JSON claims of case ${index} ${randomUUID()}`,
              json: true,
            });
          }
        }),
      ),
    );
  }

  async function metric(workers: ReturnType<typeof worker>[], name: string, labels: Record<string, string> = {}) {
    let total = 0;
    for (const { registry } of workers) {
      const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
      for (const value of values) {
        const matches = Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted);
        if (matches && !('le' in value.labels)) total += value.value;
      }
    }
    return total;
  }

  const grants = async (model: string): Promise<{ slot_ms: number }[]> =>
    (
      await pools[0]!.query<{ slot_ms: number }>(`SELECT slot_ms FROM "${schema}".grant_record WHERE limit_key = $1`, [
        `openai:${model}`,
      ])
    ).rows;

  const billedUsd = (): number => {
    const counts = server.counts();
    return ((counts.billedPromptTokens + counts.billedCompletionTokens) * 10) / 1_000_000;
  };

  it('sends at the limit and never over it: no 429, no window with more than the limit', async () => {
    const model = `judge-model-${randomUUID()}`;
    const workers = [worker(model), worker(model), worker(model)];
    await callAll(workers, 3 * LIMIT);

    // What the limiter controls: no window of its grants holds more than the limit. When the
    // vendor saw one over anyway, it is because the one test process stalled and sent late slots
    // together (seen on a loaded CI host); then every 429 was retried through the limit.
    const slots = (await grants(model)).map((grant) => Number(grant.slot_ms)).sort((a, b) => a - b);
    const busiest = Math.max(...slots.map((slot) => slots.filter((s) => s >= slot && s < slot + WINDOW_MS).length));
    expect(busiest).toBeLessThanOrEqual(LIMIT);
    const { rateLimited } = server.counts();
    expect(server.counts()).toMatchObject({ requests: 3 * LIMIT + rateLimited, billedRequests: 3 * LIMIT });
    expect(await metric(workers, 'llm_attempts_total', { outcome: 'ok' })).toBe(3 * LIMIT);
    expect(await metric(workers, 'llm_retries_total')).toBe(rateLimited);
    // What the workers report spending is what the vendor billed.
    const reported = workers.reduce((sum, w) => sum + w.meter.summary().costUsd, 0);
    expect(reported).toBeCloseTo(billedUsd(), 12);
    expect(workers.reduce((sum, w) => sum + w.meter.summary().requests, 0)).toBe(server.counts().billedRequests);
  });

  it('slows every worker after a 429 and retries it through the shared limit, logged and counted', async () => {
    const model = `judge-model-${randomUUID()}`;
    const workers = [worker(model), worker(model), worker(model)];
    server.enqueue({ status: 429, retryAfterMs: 300 });
    const calls = 12;
    await callAll(workers, calls);

    // Every attempt went through the limiter: the 429'd one and its retry included.
    const received = server.received.map((request) => request.status);
    expect(received.filter((status) => status === 429)).toHaveLength(1);
    expect(received).toHaveLength(calls + 1);
    expect(await grants(model)).toHaveLength(calls + 1);
    expect(server.counts().rateLimited).toBe(0); // the vendor's window itself never overflowed
    expect(server.maxRequestsInWindow(WINDOW_MS)).toBeLessThanOrEqual(LIMIT);

    // Slowed for everyone: the shared share dropped, and no slot fell inside the pause.
    const { rows } = await pools[0]!.query<{ decreased_at_ms: number; paused_until_ms: number }>(
      `SELECT decreased_at_ms, paused_until_ms FROM "${schema}".llm_rate_limits WHERE limit_key = $1`,
      [`openai:${model}`],
    );
    const { decreased_at_ms: decreasedAt, paused_until_ms: pausedUntil } = rows[0]!;
    expect(pausedUntil - decreasedAt).toBeGreaterThanOrEqual(300);
    const inPause = (await grants(model)).filter((grant) => grant.slot_ms > decreasedAt && grant.slot_ms < pausedUntil);
    expect(inPause).toEqual([]);
    const state = await workers[0]!.limiter.stateOf('openai', model);
    expect(state!.factor).toBeLessThan(1);

    // Logged once, with attempt, status and wait, by whichever worker got it; counted the same.
    const retries = workers.flatMap((w) => w.logs).filter((line) => line.message === 'LLM call failed; retrying');
    expect(retries).toHaveLength(1);
    expect(retries[0]!.details).toMatchObject({ attempt: 1, status: 429, reason: 'rate_limited', retryAfterMs: 300 });
    expect(retries[0]!.details['waitMs']).toBeGreaterThan(0);
    expect(await metric(workers, 'llm_retries_total', { reason: 'rate_limited' })).toBe(1);
    expect(await metric(workers, 'llm_rate_limited_total')).toBe(1);
    expect(await metric(workers, 'llm_attempts_total')).toBe(calls + 1);
    expect(await metric(workers, 'llm_attempts_total', { outcome: 'rate_limited' })).toBe(1);
    const waits = await Promise.all(
      workers.map(async (w) => (await w.registry.getSingleMetric('llm_rate_limit_wait_seconds')!.get()).values),
    );
    const observed = waits
      .flat()
      .filter((value) => (value as { metricName?: string }).metricName === 'llm_rate_limit_wait_seconds_count');
    expect(observed.reduce((sum, value) => sum + value.value, 0)).toBe(calls + 1);

    // The 429 cost nothing; every billed answer is in the reported cost.
    const reported = workers.reduce((sum, w) => sum + w.meter.summary().costUsd, 0);
    expect(server.counts().billedRequests).toBe(calls);
    expect(reported).toBeCloseTo(billedUsd(), 12);
  });
});
