import type { EntityManager } from 'typeorm';
import type { EventOfType } from '@evalvault/contracts';

/**
 * A case counts once: the row insert is the guard (ON CONFLICT DO NOTHING on
 * (run_id, case_index)), and the run's counters move only when it inserted a row. That
 * holds even for two distinct events about the same case, which the inbox cannot catch.
 * Case events follow their RunRequested on the same topic and key, so the run row exists.
 */
async function insertCase(manager: EntityManager, sql: string, params: unknown[]): Promise<boolean> {
  const inserted: unknown[] = await manager.query(
    `${sql} ON CONFLICT (run_id, case_index) DO NOTHING RETURNING case_index`,
    params,
  );
  return inserted.length > 0;
}

export async function onCaseEvaluated(manager: EntityManager, event: EventOfType<'CaseEvaluated'>): Promise<void> {
  const { payload: p } = event;
  const inserted = await insertCase(
    manager,
    `INSERT INTO "runs".run_cases (run_id, case_index, tenant_id, project_id, case_id, status, scores, duration_ms)
     VALUES ($1, $2, $3, $4, $5, 'evaluated', $6::jsonb, $7)`,
    [p.runId, p.caseIndex, event.tenantId, event.projectId, p.caseId, JSON.stringify(p.scores), p.durationMs],
  );
  if (!inserted) return;
  // The running cost grows with each case; RunCompleted later sets the authoritative total.
  await manager.query(
    `UPDATE "runs".runs SET evaluated_cases = evaluated_cases + 1, cost_usd = cost_usd + $4::numeric
     WHERE run_id = $1 AND tenant_id = $2 AND project_id = $3`,
    [p.runId, event.tenantId, event.projectId, p.usage?.costUsd ?? 0],
  );
}

export async function onCaseFailed(manager: EntityManager, event: EventOfType<'CaseFailed'>): Promise<void> {
  const { payload: p } = event;
  const inserted = await insertCase(
    manager,
    `INSERT INTO "runs".run_cases (run_id, case_index, tenant_id, project_id, case_id, status, error_code, reason, line)
     VALUES ($1, $2, $3, $4, $5, 'failed', $6, $7, $8)`,
    [p.runId, p.caseIndex, event.tenantId, event.projectId, p.caseId, p.errorCode, p.reason, p.line],
  );
  if (!inserted) return;
  await manager.query(
    `UPDATE "runs".runs SET failed_cases = failed_cases + 1 WHERE run_id = $1 AND tenant_id = $2 AND project_id = $3`,
    [p.runId, event.tenantId, event.projectId],
  );
}
