import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One token bucket per (provider, model) key, shared by every worker and process that uses
 * the schema. capacity and refill are stored so a waiting caller can estimate its wait.
 */
export function rateLimitMigration(schema: string): new () => MigrationInterface {
  return class CreateLlmRateLimitBuckets1764288000000 implements MigrationInterface {
    name = 'CreateLlmRateLimitBuckets1764288000000';

    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`
        CREATE TABLE "${schema}".llm_rate_limit_buckets (
          bucket_key        text             PRIMARY KEY,
          tokens            double precision NOT NULL,
          capacity          double precision NOT NULL CHECK (capacity > 0),
          refill_per_second double precision NOT NULL CHECK (refill_per_second >= 0),
          updated_at        timestamptz      NOT NULL DEFAULT clock_timestamp()
        )`);
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`DROP TABLE "${schema}".llm_rate_limit_buckets`);
    }
  };
}
