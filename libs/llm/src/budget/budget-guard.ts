import type { Pool } from 'pg';
import { LlmError, LlmErrorCode } from '../llm-error.js';
import { assertOwner, describeOwner, type LlmOwner } from '../llm-owner.js';

export interface BudgetGuardOptions {
  /** Budget of a project that has none stored; undefined: such projects are not limited. */
  defaultBudgetUsd?: number;
}

export interface ProjectSpend {
  budgetUsd: number | undefined;
  spentUsd: number;
}

/**
 * Stops LLM calls of a project once its spend would pass its budget. Spend lives in
 * PostgreSQL per (tenant, project) and is added atomically after each call, so all workers
 * see one figure. check() then record() is not one transaction: calls already in flight when
 * the budget is reached still land, so the overshoot is bounded by the cost of the calls in flight.
 */
export class BudgetGuard {
  private readonly table: string;

  constructor(
    private readonly pool: Pool,
    schema: string,
    private readonly options: BudgetGuardOptions = {},
  ) {
    this.table = `"${schema}".llm_project_spend`;
  }

  async setBudget(owner: LlmOwner, budgetUsd: number): Promise<void> {
    assertOwner(owner);
    await this.pool.query(
      `INSERT INTO ${this.table} (tenant_id, project_id, budget_usd) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id, project_id) DO UPDATE SET budget_usd = EXCLUDED.budget_usd, updated_at = now()`,
      [owner.tenantId, owner.projectId, budgetUsd],
    );
  }

  /** Throws LLM_BUDGET_EXCEEDED when the budget is used up or this call would pass it. */
  async check(owner: LlmOwner, estimatedCostUsd: number): Promise<void> {
    const { budgetUsd, spentUsd } = await this.spendOf(owner);
    if (budgetUsd === undefined) return;
    if (spentUsd >= budgetUsd || spentUsd + estimatedCostUsd > budgetUsd) {
      throw new LlmError(
        LlmErrorCode.BudgetExceeded,
        `${describeOwner(owner)}: LLM budget of ${budgetUsd} USD would be exceeded ` +
          `(spent ${round(spentUsd)}, this call about ${round(estimatedCostUsd)})`,
      );
    }
  }

  /** Adds what a call cost, in one statement, and returns the new total. */
  async record(owner: LlmOwner, costUsd: number): Promise<number> {
    assertOwner(owner);
    const { rows } = await this.pool.query<{ spent_usd: string }>(
      `INSERT INTO ${this.table} AS spend (tenant_id, project_id, spent_usd) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id, project_id)
       DO UPDATE SET spent_usd = spend.spent_usd + EXCLUDED.spent_usd, updated_at = now()
       RETURNING spent_usd`,
      [owner.tenantId, owner.projectId, costUsd],
    );
    return Number(rows[0]?.spent_usd ?? 0);
  }

  async spendOf(owner: LlmOwner): Promise<ProjectSpend> {
    assertOwner(owner);
    const { rows } = await this.pool.query<{ budget_usd: string | null; spent_usd: string }>(
      `SELECT budget_usd, spent_usd FROM ${this.table} WHERE tenant_id = $1 AND project_id = $2`,
      [owner.tenantId, owner.projectId],
    );
    const row = rows[0];
    const stored = row?.budget_usd;
    return {
      budgetUsd: stored === null || stored === undefined ? this.options.defaultBudgetUsd : Number(stored),
      spentUsd: Number(row?.spent_usd ?? 0),
    };
  }
}

const round = (usd: number): string => usd.toFixed(6).replace(/\.?0+$/, '');
