import type { EntityManager } from 'typeorm';
import { evaluatedCases, type EventOfType } from '@evalvault/contracts';
import { ADD_USAGE, sumUsage, usageParams } from './run-usage.js';

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

/**
 * All the cases of a CaseEvaluated event (a batch since version 2) in one multi-row insert,
 * then one counter update for the rows it inserted.
 */
export async function onCaseEvaluated(manager: EntityManager, event: EventOfType<'CaseEvaluated'>): Promise<void> {
  const cases = evaluatedCases(event.payload);
  const inserted: Array<{ case_index: number }> = await manager.query(
    `INSERT INTO "runs".run_cases (run_id, case_index, tenant_id, project_id, case_id, status, scores, duration_ms)
     SELECT $1, c.case_index, $2, $3, c.case_id, 'evaluated', c.scores, c.duration_ms
     FROM unnest($4::int[], $5::text[], $6::jsonb[], $7::bigint[]) AS c(case_index, case_id, scores, duration_ms)
     ON CONFLICT (run_id, case_index) DO NOTHING RETURNING case_index`,
    [
      event.payload.runId,
      event.tenantId,
      event.projectId,
      cases.map((c) => c.caseIndex),
      cases.map((c) => c.caseId),
      cases.map((c) => JSON.stringify(c.scores)),
      cases.map((c) => c.durationMs),
    ],
  );
  if (inserted.length === 0) return;
  const fresh = new Set(inserted.map((row) => Number(row.case_index)));
  const usage = sumUsage(cases.filter((c) => fresh.has(c.caseIndex)).map((c) => c.usage));
  await manager.query(
    `UPDATE "runs".runs SET evaluated_cases = evaluated_cases + $4, ${ADD_USAGE}
     WHERE run_id = $1 AND tenant_id = $2 AND project_id = $3`,
    [event.payload.runId, event.tenantId, event.projectId, fresh.size, ...usageParams(usage)],
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
  // A failed case's calls were paid too (CaseFailed v2): the running usage counts them.
  await manager.query(
    `UPDATE "runs".runs SET failed_cases = failed_cases + $4, ${ADD_USAGE}
     WHERE run_id = $1 AND tenant_id = $2 AND project_id = $3`,
    [p.runId, event.tenantId, event.projectId, 1, ...usageParams(sumUsage([p.usage]))],
  );
}
