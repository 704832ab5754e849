import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The shared limit of each (provider, model) as the provider states it: requests and tokens
 * per rolling window (ADR 0024). `llm_rate_limits` holds a key's pacing (the earliest time
 * the next request may go), its adaptive share of the configured limit and any pause a 429
 * imposed; `llm_rate_limit_grants` is the log of requests sent or reserved, with their tokens
 * (an estimate, settled to the actual count), from which the token window is summed. Times
 * are the database's clock in epoch milliseconds, so every process agrees on them.
 *
 * The two functions take and adapt the limit in one round trip each, under the key's row
 * lock; plpgsql gives each statement a fresh snapshot, so the log read after the lock sees
 * every grant committed before it. The old token-bucket table is left for processes of the
 * previous version still running during an upgrade, and is no longer read.
 */
export function rateWindowMigration(schema: string): new () => MigrationInterface {
  const limits = `"${schema}".llm_rate_limits`;
  const grants = `"${schema}".llm_rate_limit_grants`;
  // The share of the configured limit now: the last decrease, regained additively since.
  const factorNow = `CASE WHEN st.decreased_at_ms IS NULL THEN 1
    ELSE LEAST(1, st.factor + p_increase * GREATEST(0, v_now - st.decreased_at_ms) / p_window_ms) END`;
  return class CreateLlmRateWindows1765100000000 implements MigrationInterface {
    name = 'CreateLlmRateWindows1765100000000';

    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`
        CREATE TABLE ${limits} (
          limit_key          text             PRIMARY KEY,
          next_slot_ms       double precision NOT NULL DEFAULT 0,
          factor             double precision NOT NULL DEFAULT 1 CHECK (factor > 0 AND factor <= 1),
          decreased_at_ms    double precision,
          paused_until_ms    double precision NOT NULL DEFAULT 0,
          requests_per_window double precision,
          tokens_per_window  double precision,
          window_ms          double precision,
          updated_at         timestamptz      NOT NULL DEFAULT clock_timestamp()
        )`);
      await runner.query(`
        CREATE TABLE ${grants} (
          grant_id       bigserial        PRIMARY KEY,
          limit_key      text             NOT NULL,
          slot_ms        double precision NOT NULL,
          reserved_at_ms double precision NOT NULL,
          tokens         double precision NOT NULL CHECK (tokens >= 0)
        )`);
      await runner.query(`CREATE INDEX llm_rate_limit_grants_key_slot ON ${grants} (limit_key, slot_ms)`);

      // The earliest slot that keeps the key's pacing, its pause and its token window; reserved
      // (a log row) when it is no further than p_reserve_ahead_ms, else only reported.
      await runner.query(`
        CREATE FUNCTION "${schema}".llm_rate_limit_acquire(
          p_key text, p_requests double precision, p_tokens_limit double precision, p_window_ms double precision,
          p_tokens double precision, p_increase double precision, p_reserve_ahead_ms double precision)
        RETURNS TABLE (grant_id bigint, slot_ms double precision, now_ms double precision, factor double precision)
        LANGUAGE plpgsql AS $fn$
        DECLARE
          st ${limits}%ROWTYPE;
          v_now double precision;
          v_factor double precision;
          v_slot double precision;
          v_bound double precision;
          v_id bigint;
        BEGIN
          INSERT INTO ${limits} (limit_key) VALUES (p_key) ON CONFLICT (limit_key) DO NOTHING;
          SELECT * INTO st FROM ${limits} l WHERE l.limit_key = p_key FOR UPDATE;
          v_now := EXTRACT(EPOCH FROM clock_timestamp()) * 1000;
          v_factor := ${factorNow};
          v_slot := GREATEST(v_now, st.next_slot_ms, st.paused_until_ms);
          IF p_tokens_limit IS NOT NULL THEN
            -- Walking back from the latest grant, the first one whose running token sum leaves no
            -- room for this request must have left the window: the slot is at least its time + window.
            SELECT w.slot_ms INTO v_bound FROM (
              SELECT g.slot_ms,
                     SUM(g.tokens) OVER (ORDER BY g.slot_ms DESC, g.grant_id DESC ROWS UNBOUNDED PRECEDING) AS later
              FROM ${grants} g WHERE g.limit_key = p_key AND g.slot_ms > v_slot - p_window_ms
            ) w
            WHERE w.later > GREATEST(p_tokens_limit * v_factor, p_tokens) - p_tokens
            ORDER BY w.slot_ms DESC LIMIT 1;
            IF v_bound IS NOT NULL THEN v_slot := GREATEST(v_slot, v_bound + p_window_ms); END IF;
          END IF;
          IF v_slot - v_now > p_reserve_ahead_ms THEN
            RETURN QUERY SELECT NULL::bigint, v_slot, v_now, v_factor;
            RETURN;
          END IF;
          INSERT INTO ${grants} (limit_key, slot_ms, reserved_at_ms, tokens)
            VALUES (p_key, v_slot, v_now, p_tokens) RETURNING ${grants}.grant_id INTO v_id;
          UPDATE ${limits} l SET next_slot_ms = v_slot + p_window_ms / (p_requests * v_factor),
            requests_per_window = p_requests, tokens_per_window = p_tokens_limit, window_ms = p_window_ms,
            updated_at = clock_timestamp()
          WHERE l.limit_key = p_key;
          DELETE FROM ${grants} g WHERE g.limit_key = p_key AND g.slot_ms < v_now - 2 * p_window_ms;
          RETURN QUERY SELECT v_id, v_slot, v_now, v_factor;
        END
        $fn$`);

      // A 429: the share drops (once per episode: only a request reserved after the last decrease
      // lowers it again), everyone pauses for the Retry-After, and reservations not yet due move
      // behind the pause with their gaps stretched to the new rate.
      await runner.query(`
        CREATE FUNCTION "${schema}".llm_rate_limit_penalize(
          p_key text, p_grant_id bigint, p_pause_ms double precision, p_decrease double precision,
          p_min_factor double precision, p_requests double precision, p_window_ms double precision,
          p_increase double precision)
        RETURNS TABLE (factor double precision, paused_until_ms double precision, now_ms double precision,
                       decreased boolean)
        LANGUAGE plpgsql AS $fn$
        DECLARE
          st ${limits}%ROWTYPE;
          v_now double precision;
          v_factor double precision;
          v_reserved double precision;
          v_decreased boolean := false;
          v_pause_end double precision;
          v_first double precision;
          v_last double precision;
          v_stretch double precision := 1;
        BEGIN
          INSERT INTO ${limits} (limit_key) VALUES (p_key) ON CONFLICT (limit_key) DO NOTHING;
          SELECT * INTO st FROM ${limits} l WHERE l.limit_key = p_key FOR UPDATE;
          v_now := EXTRACT(EPOCH FROM clock_timestamp()) * 1000;
          v_factor := ${factorNow};
          SELECT g.reserved_at_ms INTO v_reserved FROM ${grants} g WHERE g.grant_id = p_grant_id;
          IF st.decreased_at_ms IS NULL OR v_reserved IS NULL OR v_reserved >= st.decreased_at_ms THEN
            v_stretch := v_factor / GREATEST(p_min_factor, v_factor * p_decrease);
            v_factor := GREATEST(p_min_factor, v_factor * p_decrease);
            v_decreased := true;
          END IF;
          v_pause_end := GREATEST(st.paused_until_ms,
            v_now + COALESCE(p_pause_ms, p_window_ms / (p_requests * v_factor)));
          SELECT min(g.slot_ms) INTO v_first FROM ${grants} g WHERE g.limit_key = p_key AND g.slot_ms > v_now;
          IF v_first IS NOT NULL THEN
            UPDATE ${grants} g SET slot_ms = GREATEST(v_first, v_pause_end) + (g.slot_ms - v_first) * v_stretch
              WHERE g.limit_key = p_key AND g.slot_ms >= v_first;
            SELECT max(g.slot_ms) INTO v_last FROM ${grants} g WHERE g.limit_key = p_key;
          END IF;
          UPDATE ${limits} l SET
            factor = CASE WHEN v_decreased THEN v_factor ELSE l.factor END,
            decreased_at_ms = CASE WHEN v_decreased THEN v_now ELSE l.decreased_at_ms END,
            paused_until_ms = v_pause_end,
            next_slot_ms = GREATEST(v_pause_end,
              CASE WHEN v_last IS NULL THEN l.next_slot_ms ELSE v_last + p_window_ms / (p_requests * v_factor) END),
            updated_at = clock_timestamp()
          WHERE l.limit_key = p_key;
          RETURN QUERY SELECT v_factor, v_pause_end, v_now, v_decreased;
        END
        $fn$`);
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`DROP FUNCTION "${schema}".llm_rate_limit_penalize`);
      await runner.query(`DROP FUNCTION "${schema}".llm_rate_limit_acquire`);
      await runner.query(`DROP TABLE ${grants}`);
      await runner.query(`DROP TABLE ${limits}`);
    }
  };
}
