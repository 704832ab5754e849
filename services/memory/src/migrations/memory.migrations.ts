import type { MigrationInterface, QueryRunner } from 'typeorm';
import { inboxMigration, type MigrationClass } from '@evalvault/platform';

/** The schema Domain Memory owns: its content keys, its read model and its inbox. */
export const MEMORY_SCHEMA = 'memory';
const S = MEMORY_SCHEMA;

/**
 * Content keys (crypto-shredding), the read model (facts, behaviours, learnings, policies,
 * deletion requests) and what formation keeps while a run is open (runs, run_cases) and after
 * (formed_runs, run_insights). Entry ids are globally unique (derived with the tenant and
 * project); every query still filters on tenant and project. timestamptz(3): event times are
 * epoch milliseconds. Full-text search: a generated tsvector with a GIN index per searchable table.
 */
export class CreateMemoryReadModel1765000000000 implements MigrationInterface {
  name = 'CreateMemoryReadModel1765000000000';

  async up(runner: QueryRunner): Promise<void> {
    // One key per fact or behaviour (key_id = the entry id); forgetting sets key to NULL for good.
    await runner.query(`
      CREATE TABLE ${S}.content_keys (
        tenant_id    text           NOT NULL,
        key_id       text           NOT NULL,
        key          bytea,
        created_at   timestamptz(3) NOT NULL DEFAULT now(),
        destroyed_at timestamptz(3),
        PRIMARY KEY (tenant_id, key_id),
        CHECK (key IS NOT NULL OR destroyed_at IS NOT NULL)
      )`);
    await runner.query(`
      CREATE TABLE ${S}.facts (
        fact_id            text           PRIMARY KEY,
        tenant_id          text           NOT NULL,
        project_id         text           NOT NULL,
        subject            text           NOT NULL,
        predicate          text           NOT NULL,
        object             text           NOT NULL,
        subject_norm       text           NOT NULL,
        domain             text           NOT NULL,
        language           text           NOT NULL,
        kind               text           NOT NULL CHECK (kind IN ('inferred', 'verified', 'contradictory')),
        status             text           NOT NULL CHECK (status IN ('proposed', 'verified', 'rejected')),
        verification_score double precision NOT NULL CHECK (verification_score >= 0 AND verification_score <= 1),
        verification_count integer        NOT NULL DEFAULT 0,
        last_verified_at   timestamptz(3),
        last_decayed_at    timestamptz(3),
        proposed_at        timestamptz(3) NOT NULL,
        updated_at         timestamptz(3) NOT NULL,
        verified_by        text,
        reason             text,
        support_count      integer        NOT NULL DEFAULT 0,
        sources            jsonb          NOT NULL DEFAULT '[]',
        conflict_with      text[]         NOT NULL DEFAULT '{}',
        search             tsvector GENERATED ALWAYS AS
                             (to_tsvector('english', subject || ' ' || predicate || ' ' || object)) STORED
      )`);
    await runner.query(`CREATE INDEX facts_search_idx ON ${S}.facts USING GIN (search)`);
    await runner.query(`CREATE INDEX facts_scope_idx ON ${S}.facts (tenant_id, project_id, subject_norm)`);
    await runner.query(`CREATE INDEX facts_sources_idx ON ${S}.facts USING GIN (sources jsonb_path_ops)`);
    await runner.query(`
      CREATE TABLE ${S}.behaviours (
        behaviour_id text           PRIMARY KEY,
        tenant_id    text           NOT NULL,
        project_id   text           NOT NULL,
        trigger      text           NOT NULL,
        action       text           NOT NULL,
        success_rate double precision NOT NULL,
        use_count    integer        NOT NULL,
        tokens_saved bigint         NOT NULL,
        sources      jsonb          NOT NULL DEFAULT '[]',
        recorded_at  timestamptz(3) NOT NULL,
        updated_at   timestamptz(3) NOT NULL,
        search       tsvector GENERATED ALWAYS AS
                       (to_tsvector('english', replace(trigger, ':', ' ') || ' ' || action)) STORED
      )`);
    await runner.query(`CREATE INDEX behaviours_search_idx ON ${S}.behaviours USING GIN (search)`);
    await runner.query(`CREATE INDEX behaviours_scope_idx ON ${S}.behaviours (tenant_id, project_id)`);
    await runner.query(`
      CREATE TABLE ${S}.learnings (
        learning_id      text           PRIMARY KEY,
        tenant_id        text           NOT NULL,
        project_id       text           NOT NULL,
        dataset_key      text           NOT NULL,
        metric           text           NOT NULL,
        run_id           text           NOT NULL,
        baseline         jsonb          NOT NULL,
        reliability      jsonb          NOT NULL,
        failure_patterns jsonb          NOT NULL,
        success_patterns jsonb          NOT NULL,
        updated_at       timestamptz(3) NOT NULL
      )`);
    await runner.query(
      `CREATE INDEX learnings_scope_idx ON ${S}.learnings (tenant_id, project_id, dataset_key, metric)`,
    );
    await runner.query(`
      CREATE TABLE ${S}.policies (
        tenant_id   text           NOT NULL,
        project_id  text           NOT NULL,
        policy      jsonb          NOT NULL,
        version     integer        NOT NULL,
        updated_by  text,
        updated_at  timestamptz(3) NOT NULL,
        PRIMARY KEY (tenant_id, project_id)
      )`);
    await runner.query(`
      CREATE TABLE ${S}.deletion_requests (
        request_id   text           PRIMARY KEY,
        tenant_id    text           NOT NULL,
        project_id   text           NOT NULL,
        target       text           NOT NULL CHECK (target IN ('subject', 'document')),
        target_hash  text           NOT NULL,
        matched      integer        NOT NULL,
        entries      jsonb          NOT NULL DEFAULT '[]',
        requested_by text,
        requested_at timestamptz(3) NOT NULL
      )`);
    await runner.query(`CREATE INDEX deletion_requests_scope_idx ON ${S}.deletion_requests (tenant_id, project_id)`);
    // Maintenance passes: when each project's last one ran, and what it changed.
    await runner.query(`
      CREATE TABLE ${S}.maintenance (
        tenant_id     text           NOT NULL,
        project_id    text           NOT NULL,
        last_run_at   timestamptz(3) NOT NULL,
        last_summary  jsonb          NOT NULL,
        PRIMARY KEY (tenant_id, project_id)
      )`);
    // Formation: the runs still open (what RunRequested said), their cases' scores, and the runs formed.
    await runner.query(`
      CREATE TABLE ${S}.runs (
        tenant_id     text           NOT NULL,
        run_id        text           NOT NULL,
        project_id    text           NOT NULL,
        dataset_key   text           NOT NULL,
        dataset_name  text,
        content_hash  text,
        inline_cases  jsonb,
        metrics       text[]         NOT NULL,
        gate_failures jsonb          NOT NULL DEFAULT '[]',
        requested_at  timestamptz(3) NOT NULL,
        PRIMARY KEY (tenant_id, run_id)
      )`);
    await runner.query(`
      CREATE TABLE ${S}.run_cases (
        tenant_id  text    NOT NULL,
        run_id     text    NOT NULL,
        case_index integer NOT NULL,
        case_id    text,
        scores     jsonb   NOT NULL DEFAULT '{}',
        failed     boolean NOT NULL DEFAULT false,
        error_code text,
        PRIMARY KEY (tenant_id, run_id, case_index)
      )`);
    await runner.query(`
      CREATE TABLE ${S}.formed_runs (
        tenant_id  text           NOT NULL,
        run_id     text           NOT NULL,
        project_id text           NOT NULL,
        formed_at  timestamptz(3) NOT NULL,
        summary    jsonb          NOT NULL,
        PRIMARY KEY (tenant_id, run_id)
      )`);
    await runner.query(`
      CREATE TABLE ${S}.run_insights (
        tenant_id  text           NOT NULL,
        run_id     text           NOT NULL,
        project_id text           NOT NULL,
        insights   jsonb          NOT NULL,
        created_at timestamptz(3) NOT NULL,
        PRIMARY KEY (tenant_id, run_id)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [
      'run_insights',
      'formed_runs',
      'run_cases',
      'runs',
      'maintenance',
      'deletion_requests',
      'policies',
      'learnings',
      'behaviours',
      'facts',
      'content_keys',
    ])
      await runner.query(`DROP TABLE ${S}.${table}`);
  }
}

/** The memory schema's migrations, in order. */
export const MEMORY_MIGRATIONS: MigrationClass[] = [inboxMigration(MEMORY_SCHEMA), CreateMemoryReadModel1765000000000];
