import type { Pool } from 'pg';
import { LlmError, LlmErrorCode } from '../llm-error.js';
import { assertOwner, describeOwner, type LlmOwner } from '../llm-owner.js';

export interface BudgetGuardOptions {
  /** Budget of a project that has none stored; undefined: such projects are not limited. */
  defaultBudgetUsd?: number;
  /** The clock that says which UTC day and month a call's spend belongs to. */
  now?: () => number;
}

export interface ProjectSpend {
  budgetUsd: number | undefined;
  spentUsd: number;
}

/** Caps on a project's spend across its runs, beside its budget: per UTC day and calendar month; null: none. */
export interface SpendCaps {
  dailyUsd: number | null;
  monthlyUsd: number | null;
}

/** What a project spent on the current UTC day and in the current UTC month. */
export interface PeriodSpend {
  day: string;
  todayUsd: number;
  monthUsd: number;
}

/**
 * Stops LLM calls of a project once its spend would pass its budget, or a cap the caller names
 * (a day's or a month's spend, UTC). Spend lives in PostgreSQL per (tenant, project), in total
 * and per day, and is added atomically after each call, so all workers see one figure. check()
 * then record() is not one transaction: calls already in flight when a limit is reached still
 * land, so the overshoot is bounded by the cost of the calls in flight.
 */
export class BudgetGuard {
  private readonly table: string;
  private readonly daily: string;
  private readonly now: () => number;

  constructor(
    private readonly pool: Pool,
    schema: string,
    private readonly options: BudgetGuardOptions = {},
  ) {
    this.table = `"${schema}".llm_project_spend`;
    this.daily = `"${schema}".llm_project_daily_spend`;
    this.now = options.now ?? Date.now;
  }

  async setBudget(owner: LlmOwner, budgetUsd: number): Promise<void> {
    assertOwner(owner);
    await this.pool.query(
      `INSERT INTO ${this.table} (tenant_id, project_id, budget_usd) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id, project_id) DO UPDATE SET budget_usd = EXCLUDED.budget_usd, updated_at = now()`,
      [owner.tenantId, owner.projectId, budgetUsd],
    );
  }

  /**
   * Throws LLM_BUDGET_EXCEEDED when the budget, or one of the caps, is used up or this call
   * would pass it; the message names the limit.
   */
  async check(owner: LlmOwner, estimatedCostUsd: number, caps?: SpendCaps): Promise<void> {
    const { budgetUsd, spentUsd } = await this.spendOf(owner);
    if (budgetUsd !== undefined)
      exceeding(owner, `LLM budget of ${budgetUsd} USD`, budgetUsd, spentUsd, estimatedCostUsd);
    if (!caps || (caps.dailyUsd === null && caps.monthlyUsd === null)) return;
    const { day, todayUsd, monthUsd } = await this.periodSpendOf(owner);
    if (caps.dailyUsd !== null)
      exceeding(owner, `daily LLM cap of ${caps.dailyUsd} USD (${day} UTC)`, caps.dailyUsd, todayUsd, estimatedCostUsd);
    if (caps.monthlyUsd !== null) {
      const month = day.slice(0, 7);
      exceeding(
        owner,
        `monthly LLM cap of ${caps.monthlyUsd} USD (${month})`,
        caps.monthlyUsd,
        monthUsd,
        estimatedCostUsd,
      );
    }
  }

  /** Adds what a call cost to the total and to the day's spend, in one statement; returns the new total. */
  async record(owner: LlmOwner, costUsd: number): Promise<number> {
    assertOwner(owner);
    const { rows } = await this.pool.query<{ spent_usd: string }>(
      `WITH today AS (
         INSERT INTO ${this.daily} AS daily (tenant_id, project_id, day, spent_usd) VALUES ($1, $2, $4::date, $3)
         ON CONFLICT (tenant_id, project_id, day)
         DO UPDATE SET spent_usd = daily.spent_usd + EXCLUDED.spent_usd, updated_at = now()
       )
       INSERT INTO ${this.table} AS spend (tenant_id, project_id, spent_usd) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id, project_id)
       DO UPDATE SET spent_usd = spend.spent_usd + EXCLUDED.spent_usd, updated_at = now()
       RETURNING spent_usd`,
      [owner.tenantId, owner.projectId, costUsd, utcDay(this.now())],
    );
    return Number(rows[0]?.spent_usd ?? 0);
  }

  /** The project's spend today and this month (UTC), as its caps count it. */
  async periodSpendOf(owner: LlmOwner): Promise<PeriodSpend> {
    assertOwner(owner);
    const day = utcDay(this.now());
    const { rows } = await this.pool.query<{ today: string; month: string }>(
      `SELECT COALESCE(SUM(spent_usd) FILTER (WHERE day = $3::date), 0) AS today, COALESCE(SUM(spent_usd), 0) AS month
       FROM ${this.daily}
       WHERE tenant_id = $1 AND project_id = $2 AND day BETWEEN date_trunc('month', $3::date)::date AND $3::date`,
      [owner.tenantId, owner.projectId, day],
    );
    return { day, todayUsd: Number(rows[0]?.today ?? 0), monthUsd: Number(rows[0]?.month ?? 0) };
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

/** Throws when what was spent has reached the limit or this call would pass it. */
function exceeding(owner: LlmOwner, limit: string, limitUsd: number, spentUsd: number, estimatedCostUsd: number): void {
  if (spentUsd < limitUsd && spentUsd + estimatedCostUsd <= limitUsd) return;
  throw new LlmError(
    LlmErrorCode.BudgetExceeded,
    `${describeOwner(owner)}: ${limit} would be exceeded ` +
      `(spent ${round(spentUsd)}, this call about ${round(estimatedCostUsd)})`,
  );
}

/** YYYY-MM-DD of the UTC day `time` falls on. */
const utcDay = (time: number): string => new Date(time).toISOString().slice(0, 10);

const round = (usd: number): string => usd.toFixed(6).replace(/\.?0+$/, '');
