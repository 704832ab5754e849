import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Spend and cached answers per tenant and project, not per project id alone (two tenants may
 * both have a project named `default`). Rows written before belong to no known tenant, so they
 * are kept under the empty tenant and project ids, which no caller has:
 * - spend: not counted for anyone until the service that knows its runs' tenants attributes it
 *   (the runs service does, from its read model: BackfillLlmSpendByTenant);
 * - cached answers: they were shared by every tenant, so they become the global cache's rows,
 *   served again only when an operator turns the global cache on.
 */
export function tenantScopeMigration(schema: string): new () => MigrationInterface {
  return class ScopeLlmStateByTenant1765300000000 implements MigrationInterface {
    name = 'ScopeLlmStateByTenant1765300000000';

    async up(runner: QueryRunner): Promise<void> {
      const spend = `"${schema}".llm_project_spend`;
      const cache = `"${schema}".llm_response_cache`;
      await runner.query(`ALTER TABLE ${spend} ADD COLUMN tenant_id text NOT NULL DEFAULT ''`);
      await runner.query(`ALTER TABLE ${spend} ALTER COLUMN tenant_id DROP DEFAULT`);
      await runner.query(
        `ALTER TABLE ${spend} DROP CONSTRAINT llm_project_spend_pkey, ADD PRIMARY KEY (tenant_id, project_id)`,
      );
      await runner.query(`ALTER TABLE ${cache}
        ADD COLUMN tenant_id text NOT NULL DEFAULT '', ADD COLUMN project_id text NOT NULL DEFAULT ''`);
      await runner.query(
        `ALTER TABLE ${cache} ALTER COLUMN tenant_id DROP DEFAULT, ALTER COLUMN project_id DROP DEFAULT`,
      );
      await runner.query(`ALTER TABLE ${cache}
        DROP CONSTRAINT llm_response_cache_pkey, ADD PRIMARY KEY (tenant_id, project_id, cache_key)`);
    }

    /** Back to one row per project id (the largest spend of its tenants) and one shared answer per request. */
    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`
        DELETE FROM "${schema}".llm_project_spend AS spend USING "${schema}".llm_project_spend AS other
        WHERE spend.project_id = other.project_id
          AND (spend.spent_usd, spend.tenant_id) < (other.spent_usd, other.tenant_id)`);
      await runner.query(`
        ALTER TABLE "${schema}".llm_project_spend
          DROP CONSTRAINT llm_project_spend_pkey, DROP COLUMN tenant_id, ADD PRIMARY KEY (project_id)`);
      await runner.query(`
        DELETE FROM "${schema}".llm_response_cache AS cached USING "${schema}".llm_response_cache AS other
        WHERE cached.cache_key = other.cache_key
          AND (cached.tenant_id, cached.project_id) > (other.tenant_id, other.project_id)`);
      await runner.query(`
        ALTER TABLE "${schema}".llm_response_cache
          DROP CONSTRAINT llm_response_cache_pkey, DROP COLUMN tenant_id, DROP COLUMN project_id,
          ADD PRIMARY KEY (cache_key)`);
    }
  };
}
