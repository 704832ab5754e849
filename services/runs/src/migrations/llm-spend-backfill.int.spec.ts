import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { QueryRunner } from 'typeorm';
import { runMigrations } from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import { BackfillLlmSpendByTenant1765300000001, RUNS_MIGRATIONS, RUNS_SCHEMA } from './runs.migrations.js';

/** Spend recorded per project id alone, before tenants were told apart, attributed to the tenants that ran there. */
describe('LLM spend backfill by tenant', () => {
  let pool: pg.Pool;
  const runner = (): QueryRunner => ({ query: (sql: string) => pool.query(sql) }) as unknown as QueryRunner;

  beforeAll(async () => {
    await runMigrations(testDatabaseUrl(), RUNS_SCHEMA, RUNS_MIGRATIONS);
    pool = new pg.Pool({ connectionString: testDatabaseUrl() });
  });
  afterAll(async () => {
    await pool.end();
  });

  async function run(tenantId: string, projectId: string, costUsd: number): Promise<void> {
    await pool.query(
      `INSERT INTO runs.runs (run_id, tenant_id, project_id, dataset_id, dataset_content_hash, dataset_key, status,
         config_hash, cost_usd, requested_at)
       VALUES ($1, $2, $3, 'd', 'h', 'd', 'completed', 'c', $4, now())`,
      [randomUUID(), tenantId, projectId, costUsd],
    );
  }

  it("gives each tenant that ran in the project its own runs' spend and the project's budget", async () => {
    const project = `project-${randomUUID()}`;
    const [acme, globex] = [`acme-${randomUUID()}`, `globex-${randomUUID()}`];
    await pool.query(
      `INSERT INTO runs.llm_project_spend (tenant_id, project_id, budget_usd, spent_usd) VALUES ('', $1, 10, 7)`,
      [project],
    );
    await run(acme, project, 1.5);
    await run(acme, project, 2.5);
    await run(globex, project, 3);
    await new BackfillLlmSpendByTenant1765300000001().up(runner());
    const { rows } = await pool.query(
      `SELECT tenant_id, budget_usd, spent_usd FROM runs.llm_project_spend WHERE project_id = $1 ORDER BY spent_usd`,
      [project],
    );
    expect(rows).toEqual([
      { tenant_id: globex, budget_usd: '10.00000000', spent_usd: '3.00000000' },
      { tenant_id: acme, budget_usd: '10.00000000', spent_usd: '4.00000000' },
    ]);
  });

  it('leaves a legacy row that no run explains where it is, read by nobody', async () => {
    const project = `project-${randomUUID()}`;
    await pool.query(`INSERT INTO runs.llm_project_spend (tenant_id, project_id, spent_usd) VALUES ('', $1, 2)`, [
      project,
    ]);
    await new BackfillLlmSpendByTenant1765300000001().up(runner());
    const { rows } = await pool.query(`SELECT tenant_id FROM runs.llm_project_spend WHERE project_id = $1`, [project]);
    expect(rows).toEqual([{ tenant_id: '' }]);
  });
});
