import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * LLM spend per project and UTC day, beside the running total of llm_project_spend: what a
 * project's daily and monthly caps are checked against (a month is the sum of its days).
 * Spend before this table existed is in no day, so a cap counts only what was spent since.
 */
export function dailySpendMigration(schema: string): new () => MigrationInterface {
  return class CreateLlmDailySpend1765600000000 implements MigrationInterface {
    name = 'CreateLlmDailySpend1765600000000';

    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`
        CREATE TABLE "${schema}".llm_project_daily_spend (
          tenant_id  text          NOT NULL,
          project_id text          NOT NULL,
          day        date          NOT NULL,
          spent_usd  numeric(18,8) NOT NULL DEFAULT 0,
          updated_at timestamptz   NOT NULL DEFAULT now(),
          PRIMARY KEY (tenant_id, project_id, day)
        )`);
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`DROP TABLE "${schema}".llm_project_daily_spend`);
    }
  };
}
