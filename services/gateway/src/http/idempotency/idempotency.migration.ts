import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The idempotency-key table in the gateway's schema, as a migration the gateway lists with its
 * own. `status_code` is NULL while the first request with a key is still running: that row is
 * the lock concurrent duplicates see. `created_at` is when the key was (last) claimed.
 */
export function idempotencyMigration(schema = 'gateway'): new () => MigrationInterface {
  return class CreateIdempotencyKeys1764201600000 implements MigrationInterface {
    name = 'CreateIdempotencyKeys1764201600000';

    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`
        CREATE TABLE "${schema}".idempotency_keys (
          tenant_id     text        NOT NULL,
          key           text        NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
          request_hash  text        NOT NULL,
          status_code   integer,
          response_body jsonb,
          created_at    timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (tenant_id, key)
        )`);
      await runner.query(`CREATE INDEX idempotency_keys_created_at ON "${schema}".idempotency_keys (created_at)`);
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`DROP TABLE "${schema}".idempotency_keys`);
    }
  };
}
