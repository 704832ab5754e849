import type { Pool } from 'pg';
import { LlmError, LlmErrorCode } from '../llm-error.js';

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
 * PostgreSQL and is added atomically after each call, so all workers see one figure.
 * check() then record() is not one transaction: calls already in flight when the budget
 * is reached still land, so the overshoot is bounded by the cost of the calls in flight.
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

  async setBudget(projectId: string, budgetUsd: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.table} (project_id, budget_usd) VALUES ($1, $2)
       ON CONFLICT (project_id) DO UPDATE SET budget_usd = EXCLUDED.budget_usd, updated_at = now()`,
      [projectId, budgetUsd],
    );
  }

  /** Throws LLM_BUDGET_EXCEEDED when the budget is used up or this call would pass it. */
  async check(projectId: string, estimatedCostUsd: number): Promise<void> {
    const { budgetUsd, spentUsd } = await this.spendOf(projectId);
    if (budgetUsd === undefined) return;
    if (spentUsd >= budgetUsd || spentUsd + estimatedCostUsd > budgetUsd) {
      throw new LlmError(
        LlmErrorCode.BudgetExceeded,
        `project ${projectId} LLM budget of ${budgetUsd} USD would be exceeded (spent ${round(spentUsd)}, this call about ${round(estimatedCostUsd)})`,
      );
    }
  }

  /** Adds what a call cost, in one statement, and returns the new total. */
  async record(projectId: string, costUsd: number): Promise<number> {
    const { rows } = await this.pool.query<{ spent_usd: string }>(
      `INSERT INTO ${this.table} AS spend (project_id, spent_usd) VALUES ($1, $2)
       ON CONFLICT (project_id) DO UPDATE SET spent_usd = spend.spent_usd + EXCLUDED.spent_usd, updated_at = now()
       RETURNING spent_usd`,
      [projectId, costUsd],
    );
    return Number(rows[0]?.spent_usd ?? 0);
  }

  async spendOf(projectId: string): Promise<ProjectSpend> {
    const { rows } = await this.pool.query<{ budget_usd: string | null; spent_usd: string }>(
      `SELECT budget_usd, spent_usd FROM ${this.table} WHERE project_id = $1`,
      [projectId],
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
