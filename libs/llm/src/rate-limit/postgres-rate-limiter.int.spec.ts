import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import { LlmErrorCode } from '../llm-error.js';
import { migrateLlmTestSchema } from '../testing/llm-test-schema.js';
import { PostgresRateLimiter, type BucketLimit } from './postgres-rate-limiter.js';

describe('PostgreSQL rate limiter shared across instances', () => {
  let schema: string;
  const pools: pg.Pool[] = [];
  const limiter = (limit: BucketLimit, options: { maxWaitMs?: number; sleep?: (ms: number) => Promise<void> } = {}) => {
    const pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 5 });
    pools.push(pool);
    return new PostgresRateLimiter(pool, schema, { limitFor: () => limit, maxPollMs: 20, ...options });
  };

  beforeAll(async () => {
    schema = await migrateLlmTestSchema();
  });
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
  });

  it('grants no more than the bucket holds to two instances with their own pools, taking concurrently', async () => {
    const model = `model-${randomUUID()}`;
    const first = limiter({ capacity: 5, refillPerSecond: 0 });
    const second = limiter({ capacity: 5, refillPerSecond: 0 });
    const attempts = Array.from({ length: 12 }, (_, index) =>
      (index % 2 === 0 ? first : second).tryAcquire('openai', model),
    );
    const grants = (await Promise.all(attempts)).filter(Boolean).length;
    expect(grants).toBe(5);
    expect(await first.tryAcquire('openai', model)).toBe(false);
    expect(await second.tryAcquire('openai', model)).toBe(false);
  });

  it('keeps separate buckets per provider and model', async () => {
    const model = `model-${randomUUID()}`;
    const shared = limiter({ capacity: 1, refillPerSecond: 0 });
    expect(await shared.tryAcquire('openai', model)).toBe(true);
    expect(await shared.tryAcquire('openai', model)).toBe(false);
    expect(await shared.tryAcquire('anthropic', model)).toBe(true);
    expect(await shared.tryAcquire('openai', `${model}-other`)).toBe(true);
  });

  it('makes a caller wait for the refill, then grants', async () => {
    const model = `model-${randomUUID()}`;
    const waits: number[] = [];
    const first = limiter({ capacity: 1, refillPerSecond: 1 });
    const second = limiter(
      { capacity: 1, refillPerSecond: 1 },
      {
        sleep: (ms) => {
          waits.push(ms);
          return new Promise((resolve) => setTimeout(resolve, ms));
        },
      },
    );
    await first.acquire('openai', model);
    // The bucket is empty now: the second instance gets only the token the refill brings, after waiting.
    await expect(second.acquire('openai', model)).resolves.toBeUndefined();
    expect(waits.length).toBeGreaterThan(0);
  });

  it('refuses with LLM_RATE_LIMITED when no token can come within the bounded wait', async () => {
    const model = `model-${randomUUID()}`;
    const exhausted = limiter({ capacity: 1, refillPerSecond: 0 }, { maxWaitMs: 1_000 });
    await exhausted.acquire('openai', model);
    await expect(exhausted.acquire('openai', model)).rejects.toMatchObject({ code: LlmErrorCode.RateLimited });
  });

  it('shares a sustained rate: many waiting callers of two instances get one token each', async () => {
    const model = `model-${randomUUID()}`;
    const first = limiter({ capacity: 2, refillPerSecond: 50 });
    const second = limiter({ capacity: 2, refillPerSecond: 50 });
    const callers = Array.from({ length: 10 }, (_, index) =>
      (index % 2 === 0 ? first : second).acquire('openai', model),
    );
    await expect(Promise.all(callers)).resolves.toHaveLength(10);
  });

  it('holds two hammering instances to burst plus refill over the window they ran', async () => {
    const model = `model-${randomUUID()}`;
    const limit = { capacity: 3, refillPerSecond: 10 };
    const instances = [limiter(limit), limiter(limit)];
    const started = performance.now();
    let grants = 0;
    await Promise.all(
      instances.map(async (instance) => {
        while (performance.now() - started < 300) if (await instance.tryAcquire('openai', model)) grants++;
      }),
    );
    // Measured after the last take, so the bound can only be generous: counts, not timings, are asserted.
    const allowed = limit.capacity + (limit.refillPerSecond * (performance.now() - started)) / 1000;
    expect(grants).toBeGreaterThanOrEqual(limit.capacity);
    expect(grants).toBeLessThanOrEqual(Math.floor(allowed) + 1);
  });
});
