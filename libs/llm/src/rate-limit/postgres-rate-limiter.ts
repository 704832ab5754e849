import type { Pool } from 'pg';
import { LlmError, LlmErrorCode } from '../llm-error.js';
import { sleep as realSleep, type Sleep } from '../reliability/sleep.js';

export interface BucketLimit {
  /** Burst size: requests allowed at once after a quiet period. */
  capacity: number;
  /** Sustained rate; 0 means the capacity is all there will ever be. */
  refillPerSecond: number;
}

export interface PostgresRateLimiterOptions {
  /** The limit for a (provider, model); the same for every instance sharing the table. */
  limitFor: (provider: string, model: string) => BucketLimit;
  /** Longest a caller waits for a token before LLM_RATE_LIMITED. Default 60 s. */
  maxWaitMs?: number;
  /** Longest single sleep between attempts, so a refill is noticed soon. Default 1 s. */
  maxPollMs?: number;
  sleep?: Sleep;
}

/** SQL for the tokens after refilling for the time since the last grant, capped at capacity. */
const refilled = (capacity: string, rate: string): string =>
  `LEAST(${capacity}::float8, tokens + GREATEST(0, EXTRACT(EPOCH FROM clock_timestamp() - updated_at)::float8) * ${rate}::float8)`;

/**
 * A token bucket per (provider, model) in PostgreSQL, so all workers of all processes share
 * one vendor quota. Taking a token is a single UPDATE ... RETURNING whose WHERE refills and
 * checks in SQL with clock_timestamp(): the row lock serialises takers and the re-evaluated
 * WHERE after the lock sees the winner's write, so no two callers take the same token.
 */
export class PostgresRateLimiter {
  private readonly table: string;

  constructor(
    private readonly pool: Pool,
    schema: string,
    private readonly options: PostgresRateLimiterOptions,
  ) {
    this.table = `"${schema}".llm_rate_limit_buckets`;
  }

  /** Takes `cost` tokens now if there are enough; never waits. */
  async tryAcquire(provider: string, model: string, cost = 1): Promise<boolean> {
    const key = `${provider}:${model}`;
    const { capacity, refillPerSecond } = this.options.limitFor(provider, model);
    const params = [key, cost, capacity, refillPerSecond];
    if (await this.take(params)) return true;
    // No row yet: the first taker creates the bucket full, minus its own cost.
    const created = await this.pool.query(
      `INSERT INTO ${this.table} (bucket_key, tokens, capacity, refill_per_second, updated_at)
       SELECT $1, $3::float8 - $2::float8, $3, $4, clock_timestamp() WHERE $3::float8 >= $2::float8
       ON CONFLICT (bucket_key) DO NOTHING RETURNING bucket_key`,
      params,
    );
    if (created.rowCount === 1) return true;
    // Another instance created it between our two statements: take from it like anyone else.
    return this.take(params);
  }

  /** Waits (bounded) until `cost` tokens can be taken. */
  async acquire(provider: string, model: string, options: { cost?: number; signal?: AbortSignal } = {}): Promise<void> {
    const cost = options.cost ?? 1;
    const { capacity } = this.options.limitFor(provider, model);
    if (cost > capacity)
      throw new LlmError(LlmErrorCode.BadRequest, `a cost of ${cost} can never fit a bucket of ${capacity}`);
    const maxWaitMs = this.options.maxWaitMs ?? 60_000;
    const started = Date.now();
    while (!(await this.tryAcquire(provider, model, cost))) {
      const estimateMs = await this.estimatedWaitMs(provider, model, cost);
      // Fail now rather than sit out the bound when the refill cannot come in time (or never: rate 0).
      if (Date.now() - started + estimateMs > maxWaitMs) {
        throw new LlmError(
          LlmErrorCode.RateLimited,
          `shared rate limit for ${provider}:${model} has no token within ${maxWaitMs} ms`,
        );
      }
      const waitMs = Math.min(estimateMs, this.options.maxPollMs ?? 1_000);
      // Jitter: instances woken by the same refill should not all hit the row at once.
      await (this.options.sleep ?? realSleep)(Math.round(waitMs * (0.75 + Math.random() * 0.5)), options.signal);
    }
  }

  private async take(params: unknown[]): Promise<boolean> {
    const taken = await this.pool.query(
      `UPDATE ${this.table}
       SET tokens = ${refilled('$3', '$4')} - $2::float8, capacity = $3, refill_per_second = $4, updated_at = clock_timestamp()
       WHERE bucket_key = $1 AND ${refilled('$3', '$4')} >= $2::float8
       RETURNING tokens`,
      params,
    );
    return taken.rowCount === 1;
  }

  /** When enough tokens will have refilled; a read only, the take itself stays one UPDATE. */
  private async estimatedWaitMs(provider: string, model: string, cost: number): Promise<number> {
    const { capacity, refillPerSecond } = this.options.limitFor(provider, model);
    if (refillPerSecond <= 0) return Number.POSITIVE_INFINITY;
    const { rows } = await this.pool.query<{ tokens: number }>(
      `SELECT ${refilled('$2', '$3')} AS tokens FROM ${this.table} WHERE bucket_key = $1`,
      [`${provider}:${model}`, capacity, refillPerSecond],
    );
    const available = rows[0]?.tokens ?? 0;
    return Math.max(10, Math.ceil(((cost - available) / refillPerSecond) * 1000));
  }
}
