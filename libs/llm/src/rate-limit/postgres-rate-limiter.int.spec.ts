import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import { LlmErrorCode } from '../llm-error.js';
import { migrateLlmTestSchema } from '../testing/llm-test-schema.js';
import { PostgresRateLimiter, type PostgresRateLimiterOptions, type RateLimit } from './postgres-rate-limiter.js';

/**
 * The limiter's decisions are read from what it stored and returned (slot times on the
 * database's clock), never from how long a test took.
 */
describe('PostgreSQL rate limiter shared across instances', () => {
  let schema: string;
  const pools: pg.Pool[] = [];
  /** An instance with its own pool, as another worker process would have. */
  const limiter = (limit: RateLimit | null, options: Partial<PostgresRateLimiterOptions> = {}) => {
    const pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 5 });
    pools.push(pool);
    return new PostgresRateLimiter(pool, schema, {
      limitFor: () => limit,
      marginMs: 0,
      maxLateMs: Number.POSITIVE_INFINITY,
      ...options,
    });
  };
  const grantsOf = async (model: string): Promise<{ slot_ms: number; tokens: number }[]> =>
    (
      await pools[0]!.query<{ slot_ms: number; tokens: number }>(
        `SELECT slot_ms, tokens FROM "${schema}".llm_rate_limit_grants WHERE limit_key = $1 ORDER BY slot_ms`,
        [`openai:${model}`],
      )
    ).rows;
  /** The most slots inside any half-open window [t, t + windowMs). */
  const mostInWindow = (slots: number[], windowMs: number): number => {
    const sorted = [...slots].sort((a, b) => a - b);
    let most = 0;
    for (let first = 0, last = 0; last < sorted.length; last++) {
      while (sorted[last]! - sorted[first]! >= windowMs) first++;
      most = Math.max(most, last - first + 1);
    }
    return most;
  };

  beforeAll(async () => {
    schema = await migrateLlmTestSchema();
  });
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
  });

  it('paces three instances taking at once so that no rolling window holds more than the limit', async () => {
    const model = `model-${randomUUID()}`;
    const limit = { requestsPerWindow: 4 };
    const instances = [0, 1, 2].map(() => limiter(limit, { windowMs: 200 }));
    const permits = await Promise.all(
      Array.from({ length: 12 }, (_, index) => instances[index % 3]!.acquire('openai', model)),
    );
    const slots = permits.map((permit) => permit.slotMs!);
    expect(new Set(slots).size).toBe(12);
    expect(mostInWindow(slots, 200)).toBe(4);
    const sorted = [...slots].sort((a, b) => a - b);
    // Evenly paced, one emission interval (window / limit) apart: no burst at all.
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(50 - 1e-6);
    expect(await grantsOf(model)).toHaveLength(12);
  });

  it('widens the window by the margin, so a grant and its arrival may drift apart', async () => {
    const model = `model-${randomUUID()}`;
    const margined = limiter({ requestsPerWindow: 4 }, { windowMs: 200, marginMs: 40 });
    const slots: number[] = [];
    for (let i = 0; i < 5; i++) slots.push((await margined.acquire('openai', model)).slotMs!);
    expect(slots[4]! - slots[0]!).toBeGreaterThanOrEqual(240 - 1e-6);
  });

  it('gives up a slot it woke too late for and queues again, so late requests never bunch', async () => {
    const model = `model-${randomUUID()}`;
    const missed: number[] = [];
    let firstSlot: number | undefined;
    let stalls = 1;
    const stalling = async (ms: number) => {
      if (stalls-- > 0) firstSlot = (await grantsOf(model)).at(-1)?.slot_ms;
      // The first sleep oversleeps by 400 ms, as a stalled process would.
      await new Promise((resolve) => setTimeout(resolve, ms + (stalls === 0 ? 400 : 0)));
    };
    const options = { windowMs: 200, marginMs: 40, maxLateMs: undefined, sleep: stalling };
    const late = limiter({ requestsPerWindow: 4 }, { ...options, onMissedSlot: (_key, lateMs) => missed.push(lateMs) });
    const first = await late.acquire('openai', model); // now: no sleep
    const second = await late.acquire('openai', model); // one interval on: sleeps, stalls, misses it
    expect(first.slotMs).toBeDefined();
    expect(firstSlot).toBeGreaterThan(first.slotMs!);
    expect(missed.length).toBeGreaterThanOrEqual(1);
    expect(missed[0]).toBeGreaterThan(40);
    expect(second.slotMs).toBeGreaterThan(firstSlot!);
    const slots = (await grantsOf(model)).map((grant) => grant.slot_ms);
    expect(slots).not.toContain(firstSlot);
    expect(slots).toContain(second.slotMs);
  });

  it('takes a fractional limit: half a request per window is one request every two windows', async () => {
    const model = `model-${randomUUID()}`;
    const slow = limiter({ requestsPerWindow: 0.5 }, { windowMs: 100 });
    const first = await slow.acquire('openai', model);
    const second = await slow.acquire('openai', model);
    expect(second.slotMs! - first.slotMs!).toBeGreaterThanOrEqual(200 - 1e-6);
  });

  it('reserves estimated tokens, settles them to the actual count, and waits for room in the window', async () => {
    const model = `model-${randomUUID()}`;
    const tokens = limiter({ requestsPerWindow: 1_000, tokensPerWindow: 100 }, { windowMs: 300 });
    const a = await tokens.acquire('openai', model, { tokens: 60 });
    await a.settle(10); // it used far fewer than estimated: room for the next one at once
    const b = await tokens.acquire('openai', model, { tokens: 60 });
    expect(b.slotMs! - a.slotMs!).toBeLessThan(300);
    // 10 + 60 + 60 > 100: the third must wait until b has left the window.
    const c = await tokens.acquire('openai', model, { tokens: 60 });
    expect(c.slotMs! - b.slotMs!).toBeGreaterThanOrEqual(300 - 1e-6);
    expect((await grantsOf(model)).map((grant) => grant.tokens)).toEqual([10, 60, 60]);
  });

  it('refuses at once a request whose estimate can never fit the token limit', async () => {
    const tiny = limiter({ requestsPerWindow: 10, tokensPerWindow: 100 });
    await expect(tiny.acquire('openai', `model-${randomUUID()}`, { tokens: 101 })).rejects.toMatchObject({
      code: LlmErrorCode.BadRequest,
    });
  });

  it('keeps separate limits per provider and model', async () => {
    const model = `model-${randomUUID()}`;
    const shared = limiter({ requestsPerWindow: 1 }, { windowMs: 60_000 });
    await shared.acquire('openai', model);
    await expect(shared.acquire('openai', model, { deadline: Date.now() + 1_000 })).rejects.toMatchObject({
      code: LlmErrorCode.RateLimited,
    });
    await expect(shared.acquire('anthropic', model)).resolves.toBeDefined();
    await expect(shared.acquire('openai', `${model}-other`)).resolves.toBeDefined();
  });

  it('fails with LLM_RATE_LIMITED, holding nothing, when no slot comes before the deadline', async () => {
    const model = `model-${randomUUID()}`;
    const slow = limiter({ requestsPerWindow: 1 }, { windowMs: 60_000, reserveAheadMs: 120_000 });
    await slow.acquire('openai', model);
    await expect(slow.acquire('openai', model, { deadline: Date.now() + 500 })).rejects.toMatchObject({
      code: LlmErrorCode.RateLimited,
    });
    expect(await grantsOf(model)).toHaveLength(1);
  });

  it('gives back a reserved slot when the caller aborts while waiting for it', async () => {
    const model = `model-${randomUUID()}`;
    const slow = limiter({ requestsPerWindow: 1 }, { windowMs: 60_000, reserveAheadMs: 120_000 });
    await slow.acquire('openai', model);
    const caller = new AbortController();
    const waiting = slow.acquire('openai', model, { signal: caller.signal });
    while ((await grantsOf(model)).length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    caller.abort();
    await expect(waiting).rejects.toMatchObject({ code: LlmErrorCode.Aborted });
    expect(await grantsOf(model)).toHaveLength(1);
  });

  it('lets nobody through unlimited keys: no row, no wait', async () => {
    const free = limiter(null);
    const permit = await free.acquire('openai', `model-${randomUUID()}`);
    expect(permit).toMatchObject({ waitedMs: 0, slotMs: undefined });
  });

  it("on a 429 lowers every instance's share once per episode and pauses them all for the Retry-After", async () => {
    const model = `model-${randomUUID()}`;
    const limit = { requestsPerWindow: 10 };
    const [a, b] = [limiter(limit, { windowMs: 1_000 }), limiter(limit, { windowMs: 1_000 })];
    const first = await a.acquire('openai', model);
    const second = await b.acquire('openai', model);
    const penalty = await first.penalize(400);
    expect(penalty).toMatchObject({ decreased: true, factor: 0.5 });
    expect(penalty.pauseMs).toBeGreaterThan(300);
    // The other request was reserved before that decrease: same episode, no second halving.
    const again = await second.penalize(400);
    expect(again.decreased).toBe(false);
    expect(again.factor).toBeCloseTo(0.5, 1); // regaining a tenth of the limit per window since
    const state = await b.stateOf('openai', model);
    expect(state!.factor).toBeLessThan(1);
    // Everyone, on either instance, goes only after the pause, at the lowered rate.
    const third = await b.acquire('openai', model);
    const fourth = await a.acquire('openai', model);
    expect(third.slotMs!).toBeGreaterThanOrEqual(state!.pausedUntilMs);
    expect(third.factor).toBeLessThan(1);
    expect(fourth.slotMs! - third.slotMs!).toBeGreaterThanOrEqual(100 / third.factor - 1);
    // A 429 for a request granted after the decrease lowers the share again.
    expect((await third.penalize(undefined)).decreased).toBe(true);
  });

  it('moves a reservation already waiting behind a pause that a 429 imposed meanwhile', async () => {
    const model = `model-${randomUUID()}`;
    const limit = { requestsPerWindow: 2 };
    const [a, b] = [limiter(limit, { windowMs: 1_000 }), limiter(limit, { windowMs: 1_000 })];
    const sent = await a.acquire('openai', model);
    const waiting = b.acquire('openai', model); // reserved for about 500 ms from now, asleep until then
    while ((await grantsOf(model)).length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    await sent.penalize(1_000);
    const { pausedUntilMs } = (await a.stateOf('openai', model))!;
    const moved = await waiting;
    expect(moved.slotMs!).toBeGreaterThanOrEqual(pausedUntilMs);
  });
});
