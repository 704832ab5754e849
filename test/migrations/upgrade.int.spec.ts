import pg from 'pg';
import { BudgetGuard } from '@evalvault/llm';
import { migrateOwnerServices, migrationName, migrationStatus, runMigrations } from '@evalvault/platform';
import { createScratchDatabase, schemaDump, type ScratchDatabase } from '../support/scratch-database.js';
import { PREVIOUS_RELEASE } from './previous-release.js';
import { ALL_SCHEMAS, SERVICES } from './service-migrations.js';

const schemaNames = ALL_SCHEMAS.map(([schema]) => schema);

/**
 * The upgrade users run: a database at the previous release's schema (see previous-release.ts) with
 * data written in it, then this release's `npm run migrate`. The data is read through this
 * release's code afterwards, and the upgraded schema is the schema of a fresh install.
 */
describe('upgrade from the previous release', () => {
  let upgraded: ScratchDatabase;
  let fresh: ScratchDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    [upgraded, fresh] = await Promise.all([
      createScratchDatabase('evalvault_upgrade'),
      createScratchDatabase('evalvault_fresh'),
    ]);
    pool = new pg.Pool({ connectionString: upgraded.url });
  });
  afterAll(async () => {
    await pool.end();
    await Promise.all([upgraded.drop(), fresh.drop()]);
  });

  it('knows every migration of the previous release (a released migration is never removed)', () => {
    for (const [schema, names] of Object.entries(PREVIOUS_RELEASE.migrations)) {
      const known = ALL_SCHEMAS.find(([name]) => name === schema)?.[1].map(migrationName) ?? [];
      expect({ schema, unknown: names.filter((name) => !known.includes(name)) }).toEqual({ schema, unknown: [] });
    }
  });

  it('keeps the data and ends at the schema of a fresh install', async () => {
    for (const [schema, migrations] of ALL_SCHEMAS) {
      const released = PREVIOUS_RELEASE.migrations[schema] ?? [];
      await runMigrations(
        upgraded.url,
        schema,
        migrations.filter((migration) => released.includes(migrationName(migration))),
      );
    }
    await writePreviousReleaseData(pool);

    const { applied } = await migrateOwnerServices(SERVICES, upgraded.url);
    expect(applied).toEqual(
      expect.arrayContaining([
        'ScopeLlmStateByTenant1765300000000',
        'BackfillLlmSpendByTenant1765300000001',
        'CreateApiKeySecrets1765400100000',
        'CreateMemoryReadModel1765000000000',
      ]),
    );
    expect(await migrationStatus(upgraded.url, ALL_SCHEMAS)).toEqual({ pending: [], unknown: [] });

    // Spend kept per project id alone is now each tenant's, read by this release's budget guard.
    const budgets = new BudgetGuard(pool, 'runs');
    expect(await budgets.spendOf({ tenantId: 'acme', projectId: 'default' })).toEqual({ budgetUsd: 10, spentUsd: 4 });
    expect(await budgets.spendOf({ tenantId: 'globex', projectId: 'default' })).toEqual({ budgetUsd: 10, spentUsd: 3 });
    // A key issued before keeps authenticating: its hash moved to the gateway's secret store.
    const secrets = await pool.query(`SELECT secret_hash FROM gateway.api_key_secrets WHERE key_id = 'key-1'`);
    expect(secrets.rows).toEqual([{ secret_hash: 'hash-of-key-1' }]);
    // Runs written before are all there, with the columns added since empty until a rebuild (tokens unknown, not 0).
    const runs = await pool.query(
      `SELECT run_id, baseline_run_id, judge, prompt_tokens, cost_usd FROM runs.runs ORDER BY run_id`,
    );
    expect(runs.rows).toEqual([
      { run_id: 'run-1', baseline_run_id: null, judge: null, prompt_tokens: null, cost_usd: '1.50000000' },
      { run_id: 'run-2', baseline_run_id: null, judge: null, prompt_tokens: null, cost_usd: '2.50000000' },
      { run_id: 'run-3', baseline_run_id: null, judge: null, prompt_tokens: null, cost_usd: '3.00000000' },
    ]);

    await migrateOwnerServices(SERVICES, fresh.url);
    expect(await schemaDump(upgraded.url, schemaNames)).toBe(await schemaDump(fresh.url, schemaNames));
  });
});

/** Rows as the previous release wrote them, in its schema (no tenant on LLM spend, hashes on the keys). */
async function writePreviousReleaseData(pool: pg.Pool): Promise<void> {
  const run = (id: string, tenant: string, cost: number): Promise<unknown> =>
    pool.query(
      `INSERT INTO runs.runs (run_id, tenant_id, project_id, dataset_id, dataset_content_hash, dataset_key, status,
         config_hash, cost_usd, requested_at)
       VALUES ($1, $2, 'default', 'd', 'h', 'd', 'completed', 'c', $3, now())`,
      [id, tenant, cost],
    );
  await run('run-1', 'acme', 1.5);
  await run('run-2', 'acme', 2.5);
  await run('run-3', 'globex', 3);
  await pool.query(`INSERT INTO runs.llm_project_spend (project_id, budget_usd, spent_usd) VALUES ('default', 10, 7)`);
  await pool.query(
    `INSERT INTO gateway.api_keys (key_id, tenant_id, project_id, role, name, secret_hash, prefix, created_at)
     VALUES ('key-1', 'acme', 'default', 'admin', 'ci', 'hash-of-key-1', 'evk_abc', now())`,
  );
}
