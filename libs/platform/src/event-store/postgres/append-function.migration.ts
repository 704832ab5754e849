import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One round trip per append: `eventstore.append_to_stream` bumps (or creates) the stream row, checks
 * the stream's tenant and the expected revision and inserts the events, all in
 * the caller's single statement (an implicit transaction), where the client used to spend about
 * seven round trips (connect, BEGIN, lock, insert, update, COMMIT). Same guarantees: the stream
 * row's lock (taken by its UPDATE or INSERT) serialises a stream's writers, commit_id stays the
 * writer's transaction id (readers stop below pg_snapshot_xmin), (stream_id, revision) stays unique.
 *
 * Errors: SQLSTATE EV001 (stream of another tenant), EV002 (wrong expected revision, the actual
 * revision in DETAIL, -1 for no stream). Also a `category` column (the stream id up to its first
 * '-') indexed with the global order, so a relay whose prefixes select a minority of the log
 * reads only those rows.
 */
export class AppendFunction1764979200000 implements MigrationInterface {
  name = 'AppendFunction1764979200000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(APPEND_FUNCTION);
    await runner.query(`
      ALTER TABLE eventstore.events
        ADD COLUMN category text GENERATED ALWAYS AS (split_part(stream_id, '-', 1)) STORED`);
    await runner.query(`CREATE INDEX events_category_idx ON eventstore.events (category, commit_id, sequence)`);
    // Statistics for the new column now: without them the planner takes any category for a rare one.
    await runner.query(`ANALYZE eventstore.events`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX IF EXISTS eventstore.events_category_idx`);
    await runner.query(`ALTER TABLE eventstore.events DROP COLUMN IF EXISTS category`);
    await runner.query(
      `DROP FUNCTION IF EXISTS eventstore.append_to_stream(text, text, text, text, uuid[], text[], bigint[], bytea[])`,
    );
  }
}

const APPEND_FUNCTION = `
CREATE FUNCTION eventstore.append_to_stream(
  p_stream text, p_tenant text, p_project text, p_expected text,
  p_event_ids uuid[], p_types text[], p_occurred bigint[], p_data bytea[])
RETURNS TABLE (next_revision bigint, last_commit text, last_sequence text)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_current bigint;
  v_owner text;
  v_last bigint;
  v_expected_ok boolean;
  v_count bigint := cardinality(p_event_ids);
BEGIN
  -- The stream row is written first, at its new revision: its row lock serialises the stream's writers,
  -- a rejected append's RAISE rolls the bump back, and the server runs the fewest statements.
  -- v_current: the revision before this append, -1 for a stream this append creates.
  IF p_expected <> 'no_stream' THEN
    UPDATE eventstore.streams s SET revision = s.revision + v_count WHERE s.stream_id = p_stream
      RETURNING s.revision - v_count, s.tenant_id INTO v_current, v_owner;
  END IF;
  IF v_current IS NULL THEN
    INSERT INTO eventstore.streams AS s (stream_id, revision, tenant_id, project_id)
      VALUES (p_stream, v_count - 1, p_tenant, p_project) ON CONFLICT (stream_id) DO NOTHING
      RETURNING -1, s.tenant_id INTO v_current, v_owner;
  END IF;
  IF v_current IS NULL THEN
    -- It exists after all (or a writer created it meanwhile: the INSERT waited for it to commit).
    UPDATE eventstore.streams s SET revision = s.revision + v_count WHERE s.stream_id = p_stream
      RETURNING s.revision - v_count, s.tenant_id INTO v_current, v_owner;
  END IF;
  IF v_owner <> p_tenant THEN
    RAISE EXCEPTION USING ERRCODE = 'EV001',
      MESSAGE = format('stream %s cannot be written by tenant %s', p_stream, p_tenant);
  END IF;
  -- Not inline in the IF: PL/pgSQL would end its condition at the CASE's first THEN.
  v_expected_ok := CASE p_expected
    WHEN 'any' THEN true
    WHEN 'no_stream' THEN v_current = -1
    WHEN 'stream_exists' THEN v_current >= 0
    ELSE v_current >= 0 AND v_current = p_expected::bigint
  END;
  IF NOT v_expected_ok THEN
    RAISE EXCEPTION USING ERRCODE = 'EV002', MESSAGE = 'wrong expected revision', DETAIL = v_current::text;
  END IF;
  -- ORDER BY: sequences follow revisions within the append.
  WITH inserted AS (
    INSERT INTO eventstore.events AS ev
      (stream_id, revision, event_id, event_type, tenant_id, project_id, occurred_at, data)
    SELECT p_stream, v_current + e.n, e.id, e.type, p_tenant, p_project, to_timestamp(e.at / 1000.0), e.body
      FROM unnest(p_event_ids, p_types, p_occurred, p_data) WITH ORDINALITY AS e(id, type, at, body, n)
     ORDER BY e.n
    RETURNING ev.sequence)
  SELECT max(inserted.sequence) INTO v_last FROM inserted;
  RETURN QUERY SELECT v_current + v_count, pg_current_xact_id()::text, v_last::text;
END
$fn$`;
