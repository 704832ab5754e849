import type { Pool } from 'pg';
import { LlmError, LlmErrorCode } from '../llm-error.js';
import { sleep as realSleep, type Sleep } from '../reliability/sleep.js';

/** A provider's limit for one (provider, model), per window (a minute unless testing). */
export interface RateLimit {
  /** Requests per window; fractional allowed (0.5 a minute is one request every two minutes). */
  requestsPerWindow: number;
  /** Prompt plus completion tokens per window; undefined: tokens are not limited. */
  tokensPerWindow?: number | undefined;
}

/** How the shared rate adapts to the provider's 429s: AIMD on the share of the configured limit. */
export interface AdaptiveOptions {
  /** The share is multiplied by this on a 429 (once per episode). Default 0.5. */
  decrease?: number;
  /** Share of the configured limit regained per window after a decrease. Default 0.1. */
  increasePerWindow?: number;
  /** The share never drops below this. Default 0.05. */
  minFactor?: number;
  /** A Retry-After longer than this pauses everyone only this long. Default 60 s. */
  maxPauseMs?: number;
}

export interface PostgresRateLimiterOptions {
  /** The limit of a (provider, model), the same for every instance sharing the table; null: unlimited. */
  limitFor: (provider: string, model: string) => RateLimit | null;
  /** The window the provider counts in. Default 60 s. */
  windowMs?: number;
  /**
   * Added to the window when pacing, so that the spread between a grant and the provider
   * seeing the request (timers, connection setup) cannot put one request too many into the
   * provider's window. Default 2 % of the window, at least 250 ms.
   */
  marginMs?: number;
  /** A slot this close is reserved at once and waited for; a later one is asked for again. Default 2 s. */
  reserveAheadMs?: number;
  /** Longest single sleep before asking again for a slot that was too far to reserve. Default 1 s. */
  maxPollMs?: number;
  /** Longest a caller without its own deadline waits before LLM_RATE_LIMITED. Default 5 min. */
  maxWaitMs?: number;
  adaptive?: AdaptiveOptions;
  sleep?: Sleep;
  random?: () => number;
  /**
   * How late after its slot a woken caller may still send; later, it gives the slot up and queues
   * again. Default: the margin (what pacing allows for drift); Infinity turns the check off.
   */
  maxLateMs?: number;
  /**
   * Told when a caller woke more than maxLateMs after its slot (a stalled process, a late timer)
   * and gave the slot up for a new one; for logs and metrics.
   */
  onMissedSlot?: (key: string, lateMs: number) => void;
}

export interface AcquireOptions {
  /** Tokens the request may use (prompt estimate plus max completion); settled after the call. */
  tokens?: number;
  signal?: AbortSignal;
  /** Epoch ms (this process's clock) after which waiting is pointless: LLM_RATE_LIMITED instead. */
  deadline?: number;
}

export interface Penalty {
  /** The share of the configured limit now in force. */
  factor: number;
  /** How long everyone pauses from now. */
  pauseMs: number;
  /** False when an earlier 429 of the same episode already lowered the share. */
  decreased: boolean;
}

/** One request's place in the shared limit: settle its tokens after the call, or report the provider's 429. */
export interface RatePermit {
  /** How long the caller waited for its slot. */
  readonly waitedMs: number;
  /** The share of the configured limit in force when the slot was granted (1: none of it held back). */
  readonly factor: number;
  /** When the request may go, on the database's clock (epoch ms); undefined for an unlimited key. */
  readonly slotMs: number | undefined;
  /** Replaces the reserved token estimate with what the call used (0 for an answer that used none). */
  settle(tokens: number): Promise<void>;
  /** The provider answered 429: slow everyone down and pause them for its Retry-After. */
  penalize(retryAfterMs: number | undefined): Promise<Penalty>;
  /** The request was not sent after all: its tokens leave the window. */
  release(): Promise<void>;
}

interface AcquireRow {
  grant_id: string | null;
  slot_ms: number;
  now_ms: number;
  factor: number;
}

const UNLIMITED: RatePermit = {
  waitedMs: 0,
  factor: 1,
  slotMs: undefined,
  settle: async () => undefined,
  penalize: async () => ({ factor: 1, pauseMs: 0, decreased: false }),
  release: async () => undefined,
};

/**
 * The shared limit of each (provider, model) in PostgreSQL, so all workers of all processes
 * together stay at the provider's limit and never over it (ADR 0024):
 *
 * - requests are paced one emission interval apart, window / (limit × share), so no rolling
 *   window (plus the margin) ever holds more than the limit, and no burst goes out at once;
 * - tokens are summed over a log of the window's requests: a request goes only when the
 *   window's tokens plus its estimate fit, and its estimate is settled to the actual count;
 * - a 429 lowers the shared share multiplicatively and pauses every caller for the
 *   Retry-After; the share climbs back additively, window by window.
 *
 * A caller reserves its slot (one statement under the key's row lock), sleeps until it, and
 * before sending checks that a 429 meanwhile did not move it, and that it did not wake later than
 * the margin after it (else it queues again). All times are the database's.
 */
export class PostgresRateLimiter {
  private readonly windowMs: number;
  private readonly pacedWindowMs: number;
  private readonly adaptive: Required<AdaptiveOptions>;

  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
    private readonly options: PostgresRateLimiterOptions,
  ) {
    this.windowMs = options.windowMs ?? 60_000;
    this.pacedWindowMs = this.windowMs + (options.marginMs ?? Math.max(250, this.windowMs * 0.02));
    this.adaptive = {
      decrease: options.adaptive?.decrease ?? 0.5,
      increasePerWindow: options.adaptive?.increasePerWindow ?? 0.1,
      minFactor: options.adaptive?.minFactor ?? 0.05,
      maxPauseMs: options.adaptive?.maxPauseMs ?? 60_000,
    };
  }

  /** Waits (bounded) for the next slot of (provider, model) and holds it for one request. */
  async acquire(provider: string, model: string, options: AcquireOptions = {}): Promise<RatePermit> {
    const limit = this.options.limitFor(provider, model);
    if (!limit) return UNLIMITED;
    if (!(limit.requestsPerWindow > 0))
      throw new LlmError(LlmErrorCode.BadRequest, `rate limit of ${provider}:${model} must allow some requests`);
    const tokens = Math.max(0, Math.ceil(options.tokens ?? 0));
    if (limit.tokensPerWindow !== undefined && tokens > limit.tokensPerWindow) {
      throw new LlmError(
        LlmErrorCode.BadRequest,
        `a request of up to ${tokens} tokens can never fit ` +
          `${provider}:${model}'s ${limit.tokensPerWindow} tokens per window`,
      );
    }
    const key = `${provider}:${model}`;
    const deadline = options.deadline ?? Date.now() + (this.options.maxWaitMs ?? 300_000);
    const sleep = this.options.sleep ?? realSleep;
    const random = this.options.random ?? Math.random;
    const started = Date.now();
    for (;;) {
      const row = await this.reserve(key, limit, tokens);
      let waitMs = Math.max(0, row.slot_ms - row.now_ms);
      if (Date.now() + waitMs > deadline) {
        if (row.grant_id !== null) await this.release(row.grant_id);
        throw new LlmError(
          LlmErrorCode.RateLimited,
          `shared rate limit of ${key} has no slot before the deadline (next in ${Math.round(waitMs)} ms)`,
        );
      }
      if (row.grant_id === null) {
        // Too far to hold: come back when it is near (or sooner, in case tokens were settled lower).
        const pollMs = Math.min(this.options.maxPollMs ?? 1_000, waitMs - this.reserveAheadMs() / 2);
        await sleep(Math.max(1, Math.round(pollMs * (0.9 + random() * 0.2))), options.signal);
        continue;
      }
      const grantId = row.grant_id;
      let slotMs = row.slot_ms;
      try {
        // Sleep until the slot, then make sure a 429 meanwhile did not push it back.
        while (waitMs > 0) {
          await sleep(Math.ceil(waitMs), options.signal);
          const slot = await this.slotOf(grantId);
          if (!slot) break;
          slotMs = slot.slot_ms;
          waitMs = slot.slot_ms - slot.now_ms;
          if (Date.now() + waitMs > deadline)
            throw new LlmError(LlmErrorCode.RateLimited, `shared rate limit of ${key} paused past the deadline`);
        }
      } catch (error) {
        await this.release(grantId).catch(() => undefined);
        throw error;
      }
      // Woken later than the margin allows: sending now could bunch with the requests of the slots
      // after this one and put one too many into the provider's window. Give the slot up, queue again.
      if (-waitMs > (this.options.maxLateMs ?? this.pacedWindowMs - this.windowMs)) {
        await this.release(grantId);
        this.options.onMissedSlot?.(key, -waitMs);
        continue;
      }
      return this.permit(key, limit, grantId, { ...row, slot_ms: slotMs }, Date.now() - started);
    }
  }

  /** The adaptive state of a key, for tests and operators: its share and any pause, on the database's clock. */
  async stateOf(
    provider: string,
    model: string,
  ): Promise<{ factor: number; pausedUntilMs: number; nextSlotMs: number; nowMs: number } | null> {
    const { rows } = await this.pool.query<{
      factor: number;
      decreased_at_ms: number | null;
      paused_until_ms: number;
      next_slot_ms: number;
      now_ms: number;
    }>(
      `SELECT factor, decreased_at_ms, paused_until_ms, next_slot_ms,
              EXTRACT(EPOCH FROM clock_timestamp())::float8 * 1000 AS now_ms
       FROM "${this.schema}".llm_rate_limits WHERE limit_key = $1`,
      [`${provider}:${model}`],
    );
    const row = rows[0];
    if (!row) return null;
    const regained =
      row.decreased_at_ms === null
        ? 1
        : Math.min(
            1,
            row.factor +
              (this.adaptive.increasePerWindow * Math.max(0, row.now_ms - row.decreased_at_ms)) / this.pacedWindowMs,
          );
    return { factor: regained, pausedUntilMs: row.paused_until_ms, nextSlotMs: row.next_slot_ms, nowMs: row.now_ms };
  }

  private reserveAheadMs(): number {
    return this.options.reserveAheadMs ?? 2_000;
  }

  private async reserve(key: string, limit: RateLimit, tokens: number): Promise<AcquireRow> {
    const { rows } = await this.pool.query<AcquireRow>(
      `SELECT grant_id, slot_ms, now_ms, factor
         FROM "${this.schema}".llm_rate_limit_acquire($1, $2, $3, $4, $5, $6, $7)`,
      [
        key,
        limit.requestsPerWindow,
        limit.tokensPerWindow ?? null,
        this.pacedWindowMs,
        tokens,
        this.adaptive.increasePerWindow,
        this.reserveAheadMs(),
      ],
    );
    return rows[0]!;
  }

  private async slotOf(grantId: string): Promise<{ slot_ms: number; now_ms: number } | undefined> {
    const { rows } = await this.pool.query<{ slot_ms: number; now_ms: number }>(
      `SELECT slot_ms, EXTRACT(EPOCH FROM clock_timestamp())::float8 * 1000 AS now_ms
       FROM "${this.schema}".llm_rate_limit_grants WHERE grant_id = $1`,
      [grantId],
    );
    return rows[0];
  }

  private async release(grantId: string): Promise<void> {
    await this.pool.query(`DELETE FROM "${this.schema}".llm_rate_limit_grants WHERE grant_id = $1`, [grantId]);
  }

  private permit(key: string, limit: RateLimit, grantId: string, row: AcquireRow, waitedMs: number): RatePermit {
    return {
      waitedMs,
      factor: row.factor,
      slotMs: row.slot_ms,
      settle: async (tokens) => {
        await this.pool.query(`UPDATE "${this.schema}".llm_rate_limit_grants SET tokens = $2 WHERE grant_id = $1`, [
          grantId,
          Math.max(0, tokens),
        ]);
      },
      penalize: async (retryAfterMs) => {
        const pause = retryAfterMs === undefined ? null : Math.min(Math.max(0, retryAfterMs), this.adaptive.maxPauseMs);
        const { rows } = await this.pool.query<{
          factor: number;
          paused_until_ms: number;
          now_ms: number;
          decreased: boolean;
        }>(
          `SELECT factor, paused_until_ms, now_ms, decreased
           FROM "${this.schema}".llm_rate_limit_penalize($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            key,
            grantId,
            pause,
            this.adaptive.decrease,
            this.adaptive.minFactor,
            limit.requestsPerWindow,
            this.pacedWindowMs,
            this.adaptive.increasePerWindow,
          ],
        );
        const result = rows[0]!;
        return {
          factor: result.factor,
          pauseMs: Math.max(0, result.paused_until_ms - result.now_ms),
          decreased: result.decreased,
        };
      },
      release: () => this.release(grantId),
    };
  }
}
