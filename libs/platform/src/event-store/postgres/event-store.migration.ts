import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event store tables. `commit_id` is the writing transaction's id (xid8): readers
 * order by (commit_id, sequence) and read only below the oldest still-running
 * transaction, so an event whose transaction commits late is never skipped.
 */
export class CreateEventStore1764115200000 implements MigrationInterface {
  name = 'CreateEventStore1764115200000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE SCHEMA IF NOT EXISTS eventstore`);
    await runner.query(`
      CREATE TABLE eventstore.streams (
        stream_id  text   PRIMARY KEY,
        revision   bigint NOT NULL,
        tenant_id  text   NOT NULL,
        project_id text   NOT NULL
      )`);
    await runner.query(`
      CREATE TABLE eventstore.events (
        commit_id   xid8        NOT NULL DEFAULT pg_current_xact_id(),
        sequence    bigserial   NOT NULL,
        stream_id   text        NOT NULL,
        revision    bigint      NOT NULL,
        event_id    uuid        NOT NULL,
        event_type  text        NOT NULL,
        tenant_id   text        NOT NULL,
        project_id  text        NOT NULL,
        occurred_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        data        bytea       NOT NULL,
        PRIMARY KEY (commit_id, sequence),
        CONSTRAINT events_stream_revision_key UNIQUE (stream_id, revision),
        CONSTRAINT events_event_id_key UNIQUE (event_id)
      )`);
    await runner.query(`CREATE INDEX events_type_idx ON eventstore.events (event_type, commit_id, sequence)`);
    await runner.query(`CREATE INDEX events_tenant_idx ON eventstore.events (tenant_id, commit_id, sequence)`);
    await runner.query(`
      CREATE TABLE eventstore.checkpoints (
        name     text   PRIMARY KEY,
        commit   bigint NOT NULL,
        sequence bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE IF EXISTS eventstore.checkpoints`);
    await runner.query(`DROP TABLE IF EXISTS eventstore.events`);
    await runner.query(`DROP TABLE IF EXISTS eventstore.streams`);
  }
}
