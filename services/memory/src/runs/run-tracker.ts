import type { DataSource, EntityManager } from 'typeorm';
import {
  evaluatedCases,
  type CaseEvaluated,
  type CaseFailed,
  type EvalVaultEvent,
  type GateFailed,
  type RunRequested,
  type TestCase,
} from '@evalvault/contracts';
import { InboxProjection, type ProjectionEffect } from '@evalvault/platform';
import { datasetKeyOf } from '../domain/index.js';
import { MEMORY_SCHEMA as S } from '../migrations/memory.migrations.js';

/** The inbox consumer of what memory keeps about open runs. */
export const MEMORY_RUNS_CONSUMER = 'memory-runs';

/** The run events memory keeps track of until a run completes (RunCompleted itself forms memory). */
export const MEMORY_RUN_EVENT_TYPES = ['RunRequested', 'CaseEvaluated', 'CaseFailed', 'GateFailed'] as const;

/** What RunRequested said that formation needs at RunCompleted. */
export interface TrackedRun {
  tenantId: string;
  projectId: string;
  runId: string;
  datasetKey: string;
  datasetName: string | null;
  /** A registered dataset's content hash (its cases are read from the content store); null for inline cases. */
  contentHash: string | null;
  inlineCases: TestCase[] | null;
  metrics: string[];
  gateFailures: GateFailureSummary[];
}

export interface GateFailureSummary {
  gateId: string;
  rules: { rule: string; metric: string; actual: number | null; threshold: number }[];
}

/** One case of a run as memory saw it: its scores by metric, or its failure. */
export interface TrackedCase {
  caseIndex: number;
  caseId: string | null;
  scores: Record<string, number>;
  failed: boolean;
  errorCode: string | null;
}

interface RunRow {
  tenant_id: string;
  project_id: string;
  run_id: string;
  dataset_key: string;
  dataset_name: string | null;
  content_hash: string | null;
  inline_cases: TestCase[] | null;
  metrics: string[];
  gate_failures: GateFailureSummary[];
}

/**
 * What memory keeps while a run is open: RunRequested's dataset and metrics, every case's scores
 * (CaseEvaluated) or failure (CaseFailed), and failed gates. Each event applied once (its inbox);
 * formation at RunCompleted reads it and removes it.
 */
export class RunTracker extends InboxProjection {
  constructor(private readonly dataSource: DataSource) {
    super(dataSource, S, MEMORY_RUNS_CONSUMER);
  }

  protected effectOf(event: EvalVaultEvent): ProjectionEffect | null {
    switch (event.type) {
      case 'RunRequested':
        return (manager) => onRunRequested(manager, event);
      case 'CaseEvaluated':
        return (manager) => onCaseEvaluated(manager, event);
      case 'CaseFailed':
        return (manager) => onCaseFailed(manager, event);
      case 'GateFailed':
        return (manager) => onGateFailed(manager, event);
      default:
        return null;
    }
  }

  async run(tenantId: string, runId: string): Promise<TrackedRun | null> {
    const rows: RunRow[] = await this.dataSource.query(`SELECT * FROM ${S}.runs WHERE tenant_id = $1 AND run_id = $2`, [
      tenantId,
      runId,
    ]);
    const row = rows[0];
    if (!row) return null;
    return {
      tenantId: row.tenant_id,
      projectId: row.project_id,
      runId: row.run_id,
      datasetKey: row.dataset_key,
      datasetName: row.dataset_name,
      contentHash: row.content_hash,
      inlineCases: row.inline_cases,
      metrics: row.metrics,
      gateFailures: row.gate_failures,
    };
  }

  /** The run's cases in dataset order, a page at a time. */
  async *cases(tenantId: string, runId: string, pageRows = 1000): AsyncGenerator<TrackedCase> {
    let after = -1;
    for (;;) {
      const rows: {
        case_index: number;
        case_id: string | null;
        scores: Record<string, number>;
        failed: boolean;
        error_code: string | null;
      }[] = await this.dataSource.query(
        `SELECT case_index, case_id, scores, failed, error_code FROM ${S}.run_cases
         WHERE tenant_id = $1 AND run_id = $2 AND case_index > $3 ORDER BY case_index LIMIT ${pageRows}`,
        [tenantId, runId, after],
      );
      for (const row of rows)
        yield {
          caseIndex: row.case_index,
          caseId: row.case_id,
          scores: row.scores,
          failed: row.failed,
          errorCode: row.error_code,
        };
      if (rows.length < pageRows) return;
      after = rows.at(-1)!.case_index;
    }
  }

  /** The run was formed: what was kept for it goes. */
  async forget(tenantId: string, runId: string, on: Pick<EntityManager, 'query'> = this.dataSource): Promise<void> {
    await on.query(`DELETE FROM ${S}.run_cases WHERE tenant_id = $1 AND run_id = $2`, [tenantId, runId]);
    await on.query(`DELETE FROM ${S}.runs WHERE tenant_id = $1 AND run_id = $2`, [tenantId, runId]);
  }
}

async function onRunRequested(manager: EntityManager, event: RunRequested): Promise<void> {
  const p = event.payload;
  const inline = p.dataset.version === null;
  await manager.query(
    `INSERT INTO ${S}.runs (tenant_id, run_id, project_id, dataset_key, dataset_name, content_hash, inline_cases,
       metrics, requested_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (tenant_id, run_id) DO NOTHING`,
    [
      event.tenantId,
      p.runId,
      event.projectId,
      datasetKeyOf(p.dataset),
      p.dataset.name,
      inline ? null : p.dataset.contentHash,
      inline && p.inlineCases ? JSON.stringify(p.inlineCases) : null,
      p.metrics,
      new Date(event.occurredAt),
    ],
  );
}

async function onCaseEvaluated(manager: EntityManager, event: CaseEvaluated): Promise<void> {
  const cases = evaluatedCases(event.payload);
  await manager.query(
    `INSERT INTO ${S}.run_cases (tenant_id, run_id, case_index, case_id, scores)
     SELECT $1, $2, c.idx, c.id, c.scores::jsonb
     FROM unnest($3::int[], $4::text[], $5::text[]) AS c(idx, id, scores)
     ON CONFLICT (tenant_id, run_id, case_index) DO UPDATE
       SET scores = ${S}.run_cases.scores || EXCLUDED.scores, case_id = EXCLUDED.case_id`,
    [
      event.tenantId,
      event.payload.runId,
      cases.map((c) => c.caseIndex),
      cases.map((c) => c.caseId),
      cases.map((c) => JSON.stringify(Object.fromEntries(c.scores.map((s) => [s.metric, s.score])))),
    ],
  );
}

async function onCaseFailed(manager: EntityManager, event: CaseFailed): Promise<void> {
  const p = event.payload;
  await manager.query(
    `INSERT INTO ${S}.run_cases (tenant_id, run_id, case_index, case_id, failed, error_code)
     VALUES ($1, $2, $3, $4, true, $5)
     ON CONFLICT (tenant_id, run_id, case_index) DO UPDATE SET failed = true, error_code = EXCLUDED.error_code`,
    [event.tenantId, p.runId, p.caseIndex, p.caseId, p.errorCode],
  );
}

/** Failed gates of a run still open; one that arrives after formation adds to the run's insights instead. */
async function onGateFailed(manager: EntityManager, event: GateFailed): Promise<void> {
  const p = event.payload;
  const summary: GateFailureSummary = {
    gateId: p.gateId,
    rules: p.rules
      .filter((rule) => !rule.passed)
      .map(({ rule, metric, actual, threshold }) => ({ rule, metric, actual, threshold })),
  };
  await manager.query(
    `UPDATE ${S}.runs SET gate_failures = gate_failures || $3::jsonb WHERE tenant_id = $1 AND run_id = $2`,
    [event.tenantId, p.subject.runId, JSON.stringify([summary])],
  );
  await manager.query(
    `UPDATE ${S}.run_insights
     SET insights = jsonb_set(insights, '{gateFailures}', COALESCE(insights->'gateFailures', '[]') || $3::jsonb)
     WHERE tenant_id = $1 AND run_id = $2`,
    [event.tenantId, p.subject.runId, JSON.stringify([summary])],
  );
}
