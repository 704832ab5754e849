import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import { LlmErrorCode } from '../llm-error.js';
import type { LlmOwner } from '../llm-owner.js';
import { migrateLlmTestSchema } from '../testing/llm-test-schema.js';
import { BudgetGuard } from './budget-guard.js';

const newOwner = (projectId = `project-${randomUUID()}`): LlmOwner => ({
  tenantId: `tenant-${randomUUID()}`,
  projectId,
});

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
    const owner = newOwner();
    await guard.setBudget(owner, 1);
    await expect(guard.check(owner, 0.4)).resolves.toBeUndefined();
    await guard.record(owner, 0.4);
    await guard.record(owner, 0.4);
    await expect(guard.check(owner, 0.2)).resolves.toBeUndefined();
    await expect(guard.check(owner, 0.3)).rejects.toMatchObject({ code: LlmErrorCode.BudgetExceeded });
    await guard.record(owner, 0.2);
    await expect(guard.check(owner, 0)).rejects.toMatchObject({ code: LlmErrorCode.BudgetExceeded });
  });

  it('adds spend atomically from concurrent workers of two processes', async () => {
    const owner = newOwner();
    const other = new BudgetGuard(otherPool, schema);
    await Promise.all(
      Array.from({ length: 40 }, (_, index) => (index % 2 === 0 ? guard : other).record(owner, 0.0125)),
    );
    expect(await guard.spendOf(owner)).toEqual({ budgetUsd: undefined, spentUsd: 0.5 });
  });

  it('applies a default budget to a project without one, and none when no default is set', async () => {
    const owner = newOwner();
    await guard.record(owner, 5);
    await expect(guard.check(owner, 1)).resolves.toBeUndefined();
    await expect(new BudgetGuard(pool, schema, { defaultBudgetUsd: 5 }).check(owner, 0.01)).rejects.toMatchObject({
      code: LlmErrorCode.BudgetExceeded,
    });
  });

  it('keeps two tenants with a project of the same name apart: budget and spend', async () => {
    const first = newOwner('default');
    const second = newOwner('default');
    await guard.setBudget(first, 1);
    await guard.record(first, 1);
    await expect(guard.check(first, 0.01)).rejects.toMatchObject({ code: LlmErrorCode.BudgetExceeded });
    await expect(guard.check(second, 0.01)).resolves.toBeUndefined();
    expect(await guard.spendOf(second)).toEqual({ budgetUsd: undefined, spentUsd: 0 });
    await guard.setBudget(second, 3);
    await guard.record(second, 2);
    expect(await guard.spendOf(first)).toEqual({ budgetUsd: 1, spentUsd: 1 });
    expect(await guard.spendOf(second)).toEqual({ budgetUsd: 3, spentUsd: 2 });
  });

  it('caps the spend of a day and of a month (UTC), each naming its limit, beside the budget', async () => {
    const owner = newOwner();
    let now = Date.UTC(2026, 0, 30, 23, 0);
    const clocked = new BudgetGuard(pool, schema, { now: () => now });
    const caps = { dailyUsd: 1, monthlyUsd: 1.5 };
    await clocked.record(owner, 0.9);
    await expect(clocked.check(owner, 0.1, caps)).resolves.toBeUndefined();
    await expect(clocked.check(owner, 0.2, caps)).rejects.toThrow(/daily LLM cap of 1 USD \(2026-01-30 UTC\) would be/);
    now = Date.UTC(2026, 0, 31, 1, 0); // the next day: a new daily cap, the same month
    expect(await clocked.periodSpendOf(owner)).toEqual({ day: '2026-01-31', todayUsd: 0, monthUsd: 0.9 });
    await clocked.record(owner, 0.5);
    await expect(clocked.check(owner, 0.2, caps)).rejects.toThrow(/monthly LLM cap of 1.5 USD \(2026-01\) would be/);
    await expect(clocked.check(owner, 0.2, { dailyUsd: 1, monthlyUsd: null })).resolves.toBeUndefined();
    now = Date.UTC(2026, 1, 1, 0, 0); // a new month
    await expect(clocked.check(owner, 0.9, caps)).resolves.toBeUndefined();
    expect(await clocked.spendOf(owner)).toEqual({ budgetUsd: undefined, spentUsd: 1.4 });
    await clocked.setBudget(owner, 1.5);
    await expect(clocked.check(owner, 0.2, caps)).rejects.toThrow(/LLM budget of 1.5 USD would be exceeded/);
  });

  it('refuses an owner without a tenant, which would reach rows that belong to no tenant', async () => {
    await expect(guard.record({ tenantId: '', projectId: 'default' }, 1)).rejects.toThrow(/tenant and project/);
  });
});
