import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency keys get a scope inside their tenant: `project:<id>` for a project's routes,
 * `tenant` for tenant-level routes; the primary key becomes (tenant, scope, key), so the same
 * key in two projects is two rows. Rows already there cannot tell which project they came from
 * (only a hash of their URL is kept): they become `legacy`, a scope no request claims, which the
 * store consults only to replay the identical request (see IdempotencyStore.claim) until
 * retention forgets them. The scope has no default: every insert names one.
 */
export function idempotencyScopeMigration(schema = 'gateway'): new () => MigrationInterface {
  return class ScopeIdempotencyKeys1765000000000 implements MigrationInterface {
    name = 'ScopeIdempotencyKeys1765000000000';

    async up(runner: QueryRunner): Promise<void> {
      const table = `"${schema}".idempotency_keys`;
      await runner.query(`ALTER TABLE ${table} ADD COLUMN scope text NOT NULL DEFAULT 'legacy'`);
      await runner.query(`ALTER TABLE ${table} ALTER COLUMN scope DROP DEFAULT`);
      await runner.query(
        `ALTER TABLE ${table} ADD CONSTRAINT idempotency_keys_scope_check
           CHECK (scope IN ('legacy', 'tenant') OR scope LIKE 'project:_%')`,
      );
      await runner.query(`ALTER TABLE ${table} DROP CONSTRAINT idempotency_keys_pkey`);
      await runner.query(
        `ALTER TABLE ${table} ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (tenant_id, scope, key)`,
      );
    }

    /** Back to one key per tenant: of the rows sharing (tenant, key), the latest claimed is kept. */
    async down(runner: QueryRunner): Promise<void> {
      const table = `"${schema}".idempotency_keys`;
      await runner.query(
        `DELETE FROM ${table} k USING ${table} newer
          WHERE newer.tenant_id = k.tenant_id AND newer.key = k.key AND newer.scope <> k.scope
            AND (newer.created_at, newer.scope) > (k.created_at, k.scope)`,
      );
      await runner.query(`ALTER TABLE ${table} DROP CONSTRAINT idempotency_keys_pkey`);
      await runner.query(`ALTER TABLE ${table} DROP COLUMN scope`);
      await runner.query(`ALTER TABLE ${table} ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (tenant_id, key)`);
    }
  };
}
