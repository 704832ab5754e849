import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import { LlmErrorCode } from '../llm-error.js';
import { migrateLlmTestSchema } from '../testing/llm-test-schema.js';
import { BudgetGuard } from './budget-guard.js';

describe('budget guard', () => {
  let pool: pg.Pool;
  let otherPool: pg.Pool;
  let guard: BudgetGuard;
  let schema: string;

  beforeAll(async () => {
    schema = await migrateLlmTestSchema();
    pool = new pg.Pool({ connectionString: testDatabaseUrl() });
    otherPool = new pg.Pool({ connectionString: testDatabaseUrl() });
    guard = new BudgetGuard(pool, schema);
  });
  afterAll(async () => {
    await Promise.all([pool.end(), otherPool.end()]);
  });

  it('lets calls through until the spend would pass the budget', async () => {
    const project = `project-${randomUUID()}`;
    await guard.setBudget(project, 1);
    await expect(guard.check(project, 0.4)).resolves.toBeUndefined();
    await guard.record(project, 0.4);
    await guard.record(project, 0.4);
    await expect(guard.check(project, 0.2)).resolves.toBeUndefined();
    await expect(guard.check(project, 0.3)).rejects.toMatchObject({ code: LlmErrorCode.BudgetExceeded });
    await guard.record(project, 0.2);
    await expect(guard.check(project, 0)).rejects.toMatchObject({ code: LlmErrorCode.BudgetExceeded });
  });

  it('adds spend atomically from concurrent workers of two processes', async () => {
    const project = `project-${randomUUID()}`;
    const other = new BudgetGuard(otherPool, schema);
    await Promise.all(
      Array.from({ length: 40 }, (_, index) => (index % 2 === 0 ? guard : other).record(project, 0.0125)),
    );
    expect(await guard.spendOf(project)).toEqual({ budgetUsd: undefined, spentUsd: 0.5 });
  });

  it('applies a default budget to a project without one, and none when no default is set', async () => {
    const project = `project-${randomUUID()}`;
    await guard.record(project, 5);
    await expect(guard.check(project, 1)).resolves.toBeUndefined();
    await expect(new BudgetGuard(pool, schema, { defaultBudgetUsd: 5 }).check(project, 0.01)).rejects.toMatchObject({
      code: LlmErrorCode.BudgetExceeded,
    });
  });
});
