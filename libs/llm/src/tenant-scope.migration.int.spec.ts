import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { runMigrations } from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import { BudgetGuard } from './budget/budget-guard.js';
import { cacheKey } from './cache/cache-key.js';
import { ResponseCache } from './cache/response-cache.js';
import type { ChatRequest } from './llm-provider.port.js';
import { llmMigrations } from './migrations.js';

/** Rows written while spend and answers were keyed by project id alone, migrated. */
describe('tenant scope migration', () => {
  const schema = `llm_scope_${randomUUID().slice(0, 8)}`;
  const asked: ChatRequest = { model: 'judge-model', messages: [{ role: 'user', content: 'q' }], json: true };
  let pool: pg.Pool;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: testDatabaseUrl() });
    const before = llmMigrations(schema).filter((migration) => migration.name !== 'ScopeLlmStateByTenant1765300000000');
    await runMigrations(testDatabaseUrl(), schema, before);
    await pool.query(
      `INSERT INTO "${schema}".llm_project_spend (project_id, budget_usd, spent_usd) VALUES ($1, 5, 4)`,
      ['default'],
    );
    await pool.query(
      `INSERT INTO "${schema}".llm_response_cache
         (cache_key, provider, model, response_text, response_model, prompt_tokens, completion_tokens)
       VALUES ($1, 'openai', 'judge-model', 'legacy answer', 'judge-model', 10, 2)`,
      [cacheKey('openai', asked)],
    );
    expect(await runMigrations(testDatabaseUrl(), schema, llmMigrations(schema))).toEqual([
      'ScopeLlmStateByTenant1765300000000',
    ]);
  });
  afterAll(async () => {
    await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
    await pool.end();
  });

  it('keeps old spend under no tenant: no tenant with a project of that name inherits it', async () => {
    const { rows } = await pool.query(`SELECT tenant_id, project_id, spent_usd FROM "${schema}".llm_project_spend`);
    expect(rows).toEqual([{ tenant_id: '', project_id: 'default', spent_usd: '4.00000000' }]);
    const guard = new BudgetGuard(pool, schema);
    expect(await guard.spendOf({ tenantId: 'acme', projectId: 'default' })).toEqual({
      budgetUsd: undefined,
      spentUsd: 0,
    });
  });

  it('makes old answers, once shared by every tenant, the global cache: served only when it is turned on', async () => {
    const owner = { tenantId: 'acme', projectId: 'default' };
    await expect(new ResponseCache(pool, schema).get(owner, 'openai', asked)).resolves.toBeUndefined();
    await expect(
      new ResponseCache(pool, schema, { scope: 'global' }).get(owner, 'openai', asked),
    ).resolves.toMatchObject({
      text: 'legacy answer',
    });
  });
});
