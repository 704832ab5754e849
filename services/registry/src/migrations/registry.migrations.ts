import type { MigrationInterface, QueryRunner } from 'typeorm';
import { inboxMigration } from '@evalvault/platform';

/** The schema the registry owns: its read model next to its inbox. */
export const REGISTRY_SCHEMA = 'registry';
const S = REGISTRY_SCHEMA;

/**
 * Resources, their versions (with content hash and kind-specific details) and lineage: which
 * runs pinned which version. Resource ids are text, so a hostile id finds nothing instead of
 * failing a cast; resource ids are globally unique (derived with the tenant), and every query
 * still filters on tenant and project. timestamptz(3): event times are epoch milliseconds.
 */
export class CreateRegistryReadModel1764500100000 implements MigrationInterface {
  name = 'CreateRegistryReadModel1764500100000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE ${S}.resources (
        resource_id    text           PRIMARY KEY,
        kind           text           NOT NULL CHECK (kind IN ('dataset', 'prompt', 'model_profile')),
        tenant_id      text           NOT NULL,
        project_id     text           NOT NULL,
        name           text           NOT NULL,
        latest_version integer        NOT NULL,
        created_at     timestamptz(3) NOT NULL,
        updated_at     timestamptz(3) NOT NULL
      )`);
    await runner.query(
      `CREATE INDEX resources_listing_idx ON ${S}.resources (tenant_id, project_id, kind, name, resource_id)`,
    );
    await runner.query(`
      CREATE TABLE ${S}.versions (
        resource_id      text           NOT NULL,
        version          integer        NOT NULL,
        kind             text           NOT NULL,
        tenant_id        text           NOT NULL,
        project_id       text           NOT NULL,
        name             text           NOT NULL,
        content_hash     text           NOT NULL,
        details          jsonb          NOT NULL,
        registered_by    text,
        registered_at    timestamptz(3) NOT NULL,
        approved_by      text,
        approved_at      timestamptz(3),
        approval_comment text,
        PRIMARY KEY (resource_id, version)
      )`);
    // "Which versions have this content?" across a project.
    await runner.query(`CREATE INDEX versions_content_idx ON ${S}.versions (tenant_id, project_id, content_hash)`);
    await runner.query(`
      CREATE TABLE ${S}.lineage (
        run_id       text           NOT NULL,
        kind         text           NOT NULL,
        resource_id  text           NOT NULL,
        version      integer        NOT NULL,
        tenant_id    text           NOT NULL,
        project_id   text           NOT NULL,
        content_hash text           NOT NULL,
        config_hash  text           NOT NULL,
        status       text           NOT NULL,
        requested_at timestamptz(3) NOT NULL,
        finished_at  timestamptz(3),
        PRIMARY KEY (run_id, kind)
      )`);
    await runner.query(
      `CREATE INDEX lineage_version_idx ON ${S}.lineage (resource_id, version, requested_at DESC, run_id DESC)`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE ${S}.lineage`);
    await runner.query(`DROP TABLE ${S}.versions`);
    await runner.query(`DROP TABLE ${S}.resources`);
  }
}

/** A version's rejection, beside its approval: a version has one or the other (the decider sees to it). */
export class AddVersionRejection1767200000000 implements MigrationInterface {
  name = 'AddVersionRejection1767200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `ALTER TABLE ${S}.versions ADD COLUMN rejected_by text, ADD COLUMN rejected_at timestamptz(3),
         ADD COLUMN rejection_reason text`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      `ALTER TABLE ${S}.versions DROP COLUMN rejection_reason, DROP COLUMN rejected_at, DROP COLUMN rejected_by`,
    );
  }
}

export const REGISTRY_READ_MODEL_MIGRATIONS = [
  inboxMigration(REGISTRY_SCHEMA),
  CreateRegistryReadModel1764500100000,
  AddVersionRejection1767200000000,
];
