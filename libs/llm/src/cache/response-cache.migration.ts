import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Answers by request fingerprint, so re-running an evaluation does not pay twice for the same judgement. */
export function responseCacheMigration(schema: string): new () => MigrationInterface {
  return class CreateLlmResponseCache1764288200000 implements MigrationInterface {
    name = 'CreateLlmResponseCache1764288200000';

    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`
        CREATE TABLE "${schema}".llm_response_cache (
          cache_key         char(64)    PRIMARY KEY,
          provider          text        NOT NULL,
          model             text        NOT NULL,
          response_text     text        NOT NULL,
          response_model    text        NOT NULL,
          prompt_tokens     integer     NOT NULL,
          completion_tokens integer     NOT NULL,
          created_at        timestamptz NOT NULL DEFAULT now()
        )`);
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`DROP TABLE "${schema}".llm_response_cache`);
    }
  };
}
