import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * LLM spend per project, shared by every process: budget_usd is the limit (NULL: the
 * guard's default applies), spent_usd what calls have cost so far. numeric, not float,
 * because sums of many tiny costs must not drift.
 */
export function budgetMigration(schema: string): new () => MigrationInterface {
  return class CreateLlmProjectSpend1764288100000 implements MigrationInterface {
    name = 'CreateLlmProjectSpend1764288100000';

    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`
        CREATE TABLE "${schema}".llm_project_spend (
          project_id text          PRIMARY KEY,
          budget_usd numeric(18,8) CHECK (budget_usd >= 0),
          spent_usd  numeric(18,8) NOT NULL DEFAULT 0,
          updated_at timestamptz   NOT NULL DEFAULT now()
        )`);
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`DROP TABLE "${schema}".llm_project_spend`);
    }
  };
}
