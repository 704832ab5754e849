import type { MigrationInterface, QueryRunner } from 'typeorm';
import { inboxMigration } from '@evalvault/platform';

/** The schema the audit service owns. */
export const AUDIT_SCHEMA = 'audit';

/**
 * The log: one row per event, chained per tenant by `seq`. `canonical` is the hashed text
 * and the only source of what an entry says; the other columns are indexes derived from it
 * (verification checks they agree). Subjects are present only as pseudonyms and ciphertext.
 */
export class CreateAuditLog1764400000000 implements MigrationInterface {
  name = 'CreateAuditLog1764400000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE "${AUDIT_SCHEMA}".entries (
        tenant_id        text           NOT NULL,
        seq              bigint         NOT NULL,
        event_id         uuid           NOT NULL,
        project_id       text           NOT NULL,
        action           text           NOT NULL,
        occurred_at      timestamptz(3) NOT NULL,
        actor_pseudonym  text           NOT NULL,
        target_pseudonym text,
        resource_keys    text[]         NOT NULL,
        outcome          text           NOT NULL,
        canonical        text           NOT NULL,
        prev_hash        text           NOT NULL,
        hash             text           NOT NULL,
        PRIMARY KEY (tenant_id, seq),
        CONSTRAINT entries_event_id_key UNIQUE (event_id)
      )`);
    await runner.query(`CREATE INDEX entries_actor_idx ON "${AUDIT_SCHEMA}".entries (tenant_id, actor_pseudonym, seq)`);
    await runner.query(`CREATE INDEX entries_action_idx ON "${AUDIT_SCHEMA}".entries (tenant_id, action, seq)`);
    await runner.query(`CREATE INDEX entries_time_idx ON "${AUDIT_SCHEMA}".entries (tenant_id, occurred_at)`);
    await runner.query(`CREATE INDEX entries_resources_idx ON "${AUDIT_SCHEMA}".entries USING gin (resource_keys)`);
    // The last link of each tenant's chain: appends lock it, so a tenant's entries are chained one at a time.
    await runner.query(`
      CREATE TABLE "${AUDIT_SCHEMA}".chain_heads (
        tenant_id text   PRIMARY KEY,
        seq       bigint NOT NULL,
        hash      text   NOT NULL
      )`);
    // What retention purged: verification starts after through_seq, from through_hash.
    await runner.query(`
      CREATE TABLE "${AUDIT_SCHEMA}".anchors (
        tenant_id     text           PRIMARY KEY,
        through_seq   bigint         NOT NULL,
        through_hash  text           NOT NULL,
        purged_count  bigint         NOT NULL,
        purged_before timestamptz(3) NOT NULL
      )`);
    await runner.query(`
      CREATE TABLE "${AUDIT_SCHEMA}".retention_policies (
        tenant_id      text        PRIMARY KEY,
        retention_days integer     CHECK (retention_days IS NULL OR retention_days >= 1),
        updated_at     timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ['retention_policies', 'anchors', 'chain_heads', 'entries'])
      await runner.query(`DROP TABLE "${AUDIT_SCHEMA}".${table}`);
  }
}

/** Pseudonym keys per tenant and a key per subject; a destroyed key is a row whose key is NULL. */
export class CreateSubjectKeys1764400100000 implements MigrationInterface {
  name = 'CreateSubjectKeys1764400100000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE "${AUDIT_SCHEMA}".tenant_keys (
        tenant_id     text  PRIMARY KEY,
        pseudonym_key bytea NOT NULL
      )`);
    await runner.query(`
      CREATE TABLE "${AUDIT_SCHEMA}".subject_keys (
        tenant_id    text        NOT NULL,
        pseudonym    text        NOT NULL,
        key          bytea,
        created_at   timestamptz NOT NULL DEFAULT now(),
        destroyed_at timestamptz,
        PRIMARY KEY (tenant_id, pseudonym),
        CHECK ((key IS NULL) = (destroyed_at IS NOT NULL))
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE "${AUDIT_SCHEMA}".subject_keys`);
    await runner.query(`DROP TABLE "${AUDIT_SCHEMA}".tenant_keys`);
  }
}

/**
 * A shortening of a tenant's retention waits for its delay: the retention asked for, why, when
 * it was asked for and when it takes effect, and the AuditRetentionChanged event that said so.
 * Purges use retention_days until pending_effective_at, then the pending one (moved over).
 */
export class AddPendingRetention1765100000000 implements MigrationInterface {
  name = 'AddPendingRetention1765100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE "${AUDIT_SCHEMA}".retention_policies
        ADD COLUMN pending_days         integer CHECK (pending_days IS NULL OR pending_days >= 1),
        ADD COLUMN pending_reason       text,
        ADD COLUMN pending_requested_at timestamptz(3),
        ADD COLUMN pending_effective_at timestamptz(3),
        ADD COLUMN pending_event_id     text,
        ADD CONSTRAINT retention_pending_whole CHECK (
          (pending_days IS NULL) = (pending_effective_at IS NULL)
          AND (pending_days IS NULL) = (pending_reason IS NULL)
          AND (pending_days IS NULL) = (pending_requested_at IS NULL)
          AND (pending_days IS NULL) = (pending_event_id IS NULL)
        )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE "${AUDIT_SCHEMA}".retention_policies
        DROP CONSTRAINT retention_pending_whole,
        DROP COLUMN pending_days, DROP COLUMN pending_reason, DROP COLUMN pending_requested_at,
        DROP COLUMN pending_effective_at, DROP COLUMN pending_event_id`);
  }
}

export const AUDIT_MIGRATIONS: (new () => MigrationInterface)[] = [
  inboxMigration(AUDIT_SCHEMA),
  CreateAuditLog1764400000000,
  CreateSubjectKeys1764400100000,
  AddPendingRetention1765100000000,
];
