import type { MigrationInterface, QueryRunner } from 'typeorm';
import { llmMigrations } from '@evalvault/llm';
import { inboxMigration } from '@evalvault/platform';

/** The schema the runs service owns; its read model lives next to its inbox. */
export const RUNS_SCHEMA = 'runs';

/**
 * One row per run. run_id is text, not uuid, so an id that is not a uuid (or is hostile
 * text) simply finds nothing instead of failing the cast. requested_at is NULL only on a
 * placeholder created by a gate verdict that overtook its RunRequested (gates travel on
 * their own topic); queries hide such rows. timestamptz(3): event times are epoch
 * milliseconds, and a millisecond column round-trips exactly through cursors.
 */
export class CreateRunsReadModel1764300000000 implements MigrationInterface {
  name = 'CreateRunsReadModel1764300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE "${RUNS_SCHEMA}".runs (
        run_id               text           PRIMARY KEY,
        tenant_id            text           NOT NULL,
        project_id           text           NOT NULL,
        dataset_id           text           NOT NULL,
        dataset_name         text,
        dataset_version      integer,
        dataset_content_hash text           NOT NULL,
        dataset_key          text           NOT NULL,
        status               text           NOT NULL CHECK (status IN ('requested', 'running', 'completed', 'failed', 'cancelled')),
        total_cases          integer,
        evaluated_cases      integer        NOT NULL DEFAULT 0,
        failed_cases         integer        NOT NULL DEFAULT 0,
        metrics              text[]         NOT NULL DEFAULT '{}',
        gate_rules           text[]         NOT NULL DEFAULT '{}',
        gate_passed          boolean,
        gate_rules_result    jsonb,
        aggregates           jsonb,
        config_hash          text           NOT NULL,
        labels               jsonb          NOT NULL DEFAULT '{}',
        retry_of             text,
        failure_reason       text,
        failure_message      text,
        requested_by         text,
        requested_at         timestamptz(3),
        started_at           timestamptz(3),
        finished_at          timestamptz(3),
        cost_usd             numeric(18,8)  NOT NULL DEFAULT 0,
        prompt_ref           jsonb,
        model_profile_ref    jsonb
      )`);
    // Listing pages newest first; run_id DESC matches ORDER BY so the keyset scan needs no sort.
    await runner.query(`
      CREATE INDEX runs_listing_idx ON "${RUNS_SCHEMA}".runs (tenant_id, project_id, requested_at DESC, run_id DESC)`);
    // Baseline: the latest passing run of a project on one dataset.
    await runner.query(`
      CREATE INDEX runs_baseline_idx ON "${RUNS_SCHEMA}".runs (tenant_id, project_id, dataset_key, gate_passed, finished_at DESC)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE "${RUNS_SCHEMA}".runs`);
  }
}

/**
 * One row per accounted case. The primary key is what makes a case count once: the
 * projection inserts with ON CONFLICT DO NOTHING and bumps counters only on an insert.
 * tenant_id and project_id are repeated so case queries filter on them directly.
 */
export class CreateRunCasesReadModel1764300100000 implements MigrationInterface {
  name = 'CreateRunCasesReadModel1764300100000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE "${RUNS_SCHEMA}".run_cases (
        run_id      text    NOT NULL,
        case_index  integer NOT NULL,
        tenant_id   text    NOT NULL,
        project_id  text    NOT NULL,
        case_id     text,
        status      text    NOT NULL CHECK (status IN ('evaluated', 'failed')),
        scores      jsonb   NOT NULL DEFAULT '[]',
        error_code  text,
        reason      text,
        line        integer,
        duration_ms integer,
        PRIMARY KEY (run_id, case_index)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE "${RUNS_SCHEMA}".run_cases`);
  }
}

/** In order: the inbox first, since every projected change is recorded there. */
export const RUNS_READ_MODEL_MIGRATIONS: (new () => MigrationInterface)[] = [
  inboxMigration(RUNS_SCHEMA),
  CreateRunsReadModel1764300000000,
  CreateRunCasesReadModel1764300100000,
];

/** Every migration of the runs schema, in order: the read model (with its inbox), then the LLM tables (rate limits, response cache). */
export const RUNS_MIGRATIONS = [...RUNS_READ_MODEL_MIGRATIONS, ...llmMigrations(RUNS_SCHEMA)];
