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
        status               text           NOT NULL
          CHECK (status IN ('requested', 'running', 'completed', 'failed', 'cancelled')),
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
      CREATE INDEX runs_baseline_idx
        ON "${RUNS_SCHEMA}".runs (tenant_id, project_id, dataset_key, gate_passed, finished_at DESC)`);
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

/**
 * What a run's view shows since baselines and judges are pinned: the baseline run its gate
 * compared against (from the verdict) and the judge its LLM-judged metrics were scored with
 * (from RunRequested v3). Both NULL for runs projected before, until a rebuild.
 */
export class AddRunBaselineAndJudge1765400000000 implements MigrationInterface {
  name = 'AddRunBaselineAndJudge1765400000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "${RUNS_SCHEMA}".runs ADD COLUMN baseline_run_id text, ADD COLUMN judge jsonb`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "${RUNS_SCHEMA}".runs DROP COLUMN baseline_run_id, DROP COLUMN judge`);
  }
}

/**
 * Domain Memory in runs: whether a run uses memory (RunRequested v5) and where its gate took its
 * baseline (GatePassed/GateFailed v3), and this service's copy of memory's learned baselines, fed
 * from LearningUpdated on the memory topic (services never read another's tables). One row per
 * (tenant, project, dataset key, metric); a LearningUpdated replaces it only with a later version
 * (runs learned from), so a redelivered or late older one changes nothing.
 */
export class AddMemoryUseAndLearnedBaselines1767000000000 implements MigrationInterface {
  name = 'AddMemoryUseAndLearnedBaselines1767000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE "${RUNS_SCHEMA}".runs
        ADD COLUMN memory_use boolean NOT NULL DEFAULT false, ADD COLUMN baseline_source jsonb`);
    await runner.query(`
      CREATE TABLE "${RUNS_SCHEMA}".learned_baselines (
        tenant_id    text             NOT NULL,
        project_id   text             NOT NULL,
        dataset_key  text             NOT NULL,
        metric       text             NOT NULL,
        learning_id  text             NOT NULL,
        version      integer          NOT NULL,
        run_id       text             NOT NULL,
        mean         double precision NOT NULL,
        p10          double precision NOT NULL,
        p50          double precision NOT NULL,
        p90          double precision NOT NULL,
        pass_rate    double precision NOT NULL,
        updated_at   timestamptz(3)   NOT NULL,
        PRIMARY KEY (tenant_id, project_id, dataset_key, metric)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE "${RUNS_SCHEMA}".learned_baselines`);
    await runner.query(`ALTER TABLE "${RUNS_SCHEMA}".runs DROP COLUMN memory_use, DROP COLUMN baseline_source`);
  }
}

/**
 * A run's LLM usage beside its cost: requests, prompt and completion tokens and cached answers, summed from its
 * case events (CaseEvaluated, CaseFailed v2) and set to RunCompleted's totals. NULL on the rows already there
 * (their tokens are only in the events: a rebuild of the read model fills them in); a run projected since
 * starts at 0.
 */
export class AddRunUsage1767300000000 implements MigrationInterface {
  name = 'AddRunUsage1767300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE "${RUNS_SCHEMA}".runs
        ADD COLUMN llm_requests integer, ADD COLUMN prompt_tokens bigint, ADD COLUMN completion_tokens bigint,
        ADD COLUMN cache_hits integer`);
    await runner.query(`
      ALTER TABLE "${RUNS_SCHEMA}".runs
        ALTER COLUMN llm_requests SET DEFAULT 0, ALTER COLUMN prompt_tokens SET DEFAULT 0,
        ALTER COLUMN completion_tokens SET DEFAULT 0, ALTER COLUMN cache_hits SET DEFAULT 0`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE "${RUNS_SCHEMA}".runs
        DROP COLUMN llm_requests, DROP COLUMN prompt_tokens, DROP COLUMN completion_tokens, DROP COLUMN cache_hits`);
  }
}

/** In order: the inbox first, since every projected change is recorded there. */
export const RUNS_READ_MODEL_MIGRATIONS: (new () => MigrationInterface)[] = [
  inboxMigration(RUNS_SCHEMA),
  CreateRunsReadModel1764300000000,
  CreateRunCasesReadModel1764300100000,
  AddRunBaselineAndJudge1765400000000,
  AddMemoryUseAndLearnedBaselines1767000000000,
  AddRunUsage1767300000000,
];

/**
 * LLM spend recorded while it was keyed by project id alone sits under no tenant after the LLM
 * tables' ScopeLlmStateByTenant. This read model knows which tenants ran in a project of that id
 * and what their runs cost, so each such tenant gets its own spend (the sum of its runs' cost in
 * the project) and the project's budget; a legacy row no run explains stays where it is, unread.
 */
export class BackfillLlmSpendByTenant1765300000001 implements MigrationInterface {
  name = 'BackfillLlmSpendByTenant1765300000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      INSERT INTO "${RUNS_SCHEMA}".llm_project_spend (tenant_id, project_id, budget_usd, spent_usd)
      SELECT run.tenant_id, legacy.project_id, legacy.budget_usd, SUM(run.cost_usd)
      FROM "${RUNS_SCHEMA}".llm_project_spend AS legacy
      JOIN "${RUNS_SCHEMA}".runs AS run ON run.project_id = legacy.project_id
      WHERE legacy.tenant_id = ''
      GROUP BY run.tenant_id, legacy.project_id, legacy.budget_usd
      ON CONFLICT (tenant_id, project_id) DO NOTHING`);
    await runner.query(`
      DELETE FROM "${RUNS_SCHEMA}".llm_project_spend AS legacy
      WHERE legacy.tenant_id = ''
        AND EXISTS (SELECT 1 FROM "${RUNS_SCHEMA}".runs AS run WHERE run.project_id = legacy.project_id)`);
  }

  /** Nothing to undo here: reverting ScopeLlmStateByTenant folds the tenants' rows back into one per project. */
  async down(): Promise<void> {}
}

/**
 * Every migration of the runs schema, in order: the read model (with its inbox), then the LLM tables
 * (rate limits, budgets, response cache), then the attribution of older LLM spend to tenants.
 */
export const RUNS_MIGRATIONS = [
  ...RUNS_READ_MODEL_MIGRATIONS,
  ...llmMigrations(RUNS_SCHEMA),
  BackfillLlmSpendByTenant1765300000001,
];
