import type { DataSource } from 'typeorm';
import type { LearnedBaseline, LearnedBaselines } from '@evalvault/evaluation';
import { decodeCasesCursor, decodeRunsCursor, encodeCasesCursor, encodeRunsCursor, pageSize } from './cursor.js';
import type { RunComparison } from '@evalvault/service-apis';
import { compareRuns, type SharedCaseScores } from './run-comparison.js';
import { datasetKeysOf } from './dataset-key.js';
import { RunsQueryError } from './runs-query.error.js';
import {
  RUN_VIEW_STATUSES,
  toCaseView,
  toRunSummary,
  toRunView,
  type CaseRow,
  type CaseView,
  type CaseViewStatus,
  type Page,
  type RunRow,
  type RunSummary,
  type RunView,
  type RunViewStatus,
} from './runs.views.js';

export interface ListRunsOptions {
  status?: RunViewStatus;
  datasetKey?: string;
  /** `key=value`: runs whose labels contain exactly that pair. */
  label?: string;
  /** Default 20, at most 100. */
  limit?: number;
  cursor?: string;
}

export interface GetCasesOptions {
  status?: CaseViewStatus;
  /** Default 50, at most 500. */
  limit?: number;
  cursor?: string;
}

/** A baseline run with its case scores per metric (see BaselineRun in @evalvault/evaluation). */
export interface Baseline {
  runId: string;
  scores: Map<string, number[]>;
}

// Placeholders left by an early gate verdict (requested_at NULL) are not runs yet.
const VISIBLE = 'tenant_id = $1 AND project_id = $2 AND requested_at IS NOT NULL';

/**
 * Reads of the runs read model. Every statement is scoped by tenant and project, and
 * every caller-supplied value travels as a bind parameter: only placeholders are
 * spliced into SQL text. Another tenant's run reads exactly like a missing one.
 */
export class RunsQueries {
  constructor(private readonly dataSource: DataSource) {}

  async getRun(tenantId: string, projectId: string, runId: string): Promise<RunView | null> {
    const rows: RunRow[] = await this.dataSource.query(`SELECT * FROM "runs".runs WHERE ${VISIBLE} AND run_id = $3`, [
      tenantId,
      projectId,
      runId,
    ]);
    return rows[0] ? toRunView(rows[0]) : null;
  }

  /** Newest first, keyset-paged on (requested_at, run_id) so pages stay stable while runs arrive. */
  /** Is there such a run in another tenant or project? (Answered as not found, but audited.) */
  async isForeign(tenantId: string, projectId: string, runId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM "runs".runs WHERE run_id = $3 AND NOT (tenant_id = $1 AND project_id = $2)`,
      [tenantId, projectId, runId],
    );
    return rows.length > 0;
  }

  async listRuns(tenantId: string, projectId: string, options: ListRunsOptions = {}): Promise<Page<RunSummary>> {
    const limit = pageSize(options.limit, 20, 100);
    const params: unknown[] = [tenantId, projectId];
    const where = [VISIBLE];
    const bind = (value: unknown): string => `$${params.push(value)}`;
    if (options.status !== undefined) {
      if (!RUN_VIEW_STATUSES.includes(options.status))
        throw new RunsQueryError('INVALID_FILTER', `unknown status; one of ${RUN_VIEW_STATUSES.join(', ')}`);
      where.push(`status = ${bind(options.status)}`);
    }
    if (options.datasetKey !== undefined)
      where.push(`dataset_key = ANY(${bind(datasetKeysOf(options.datasetKey))}::text[])`);
    if (options.label !== undefined) where.push(`labels @> ${bind(JSON.stringify(labelPair(options.label)))}::jsonb`);
    if (options.cursor !== undefined) {
      const after = decodeRunsCursor(options.cursor);
      where.push(`(requested_at, run_id) < (${bind(after.requestedAt)}::timestamptz, ${bind(after.runId)}::text)`);
    }
    const rows: RunRow[] = await this.dataSource.query(
      `SELECT * FROM "runs".runs WHERE ${where.join(' AND ')}
        ORDER BY requested_at DESC, run_id DESC LIMIT ${bind(limit + 1)}`,
      params,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const nextCursor =
      rows.length > limit && last
        ? encodeRunsCursor({ requestedAt: last.requested_at.toISOString(), runId: last.run_id })
        : null;
    return { items: page.map(toRunSummary), nextCursor };
  }

  /** Cases in dataset order; null when the run is not visible to this tenant and project. */
  async getCases(
    tenantId: string,
    projectId: string,
    runId: string,
    options: GetCasesOptions = {},
  ): Promise<Page<CaseView> | null> {
    const limit = pageSize(options.limit, 50, 500);
    if (options.status !== undefined && options.status !== 'evaluated' && options.status !== 'failed') {
      throw new RunsQueryError('INVALID_FILTER', 'case status is evaluated or failed');
    }
    const after = options.cursor === undefined ? -1 : decodeCasesCursor(options.cursor);
    const exists: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM "runs".runs WHERE ${VISIBLE} AND run_id = $3`,
      [tenantId, projectId, runId],
    );
    if (exists.length === 0) return null;
    // A page walks the primary key from the cursor. The planner, whose statistics know nothing of a run
    // larger than the average (a new run's rows are not in them yet), chose otherwise at times: every case
    // after the cursor gathered and sorted for each page, seconds per page of a million-case run.
    const rows: CaseRow[] = await this.dataSource.transaction(async (manager) => {
      await manager.query('SET LOCAL enable_sort = off');
      return manager.query(
        `SELECT case_index, case_id, status, scores, error_code, reason, line, duration_ms FROM "runs".run_cases
         WHERE tenant_id = $1 AND project_id = $2 AND run_id = $3 AND ($4::text IS NULL OR status = $4)
           AND case_index > $5
         ORDER BY case_index LIMIT $6`,
        [tenantId, projectId, runId, options.status ?? null, after, limit + 1],
      );
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toCaseView),
      nextCursor: rows.length > limit && last ? encodeCasesCursor(last.case_index) : null,
    };
  }

  /**
   * Two runs compared: configuration, aggregates and, over the cases both evaluated, paired
   * statistics per metric. `missingRunId` names a run this tenant and project cannot see.
   */
  async compareRuns(
    tenantId: string,
    projectId: string,
    runId: string,
    otherRunId: string,
  ): Promise<RunComparison | { missingRunId: string }> {
    const [base, candidate] = await Promise.all([
      this.getRun(tenantId, projectId, runId),
      this.getRun(tenantId, projectId, otherRunId),
    ]);
    if (!base) return { missingRunId: runId };
    if (!candidate) return { missingRunId: otherRunId };
    return compareRuns(base, candidate, await this.sharedCaseScores(tenantId, projectId, runId, otherRunId));
  }

  /**
   * The scores of the cases both runs evaluated, matched by case id (the first case of a repeated
   * id, in dataset order); only metric and score leave the database, not the explanations.
   */
  async sharedCaseScores(
    tenantId: string,
    projectId: string,
    runId: string,
    otherRunId: string,
  ): Promise<SharedCaseScores[]> {
    const rows: { case_id: string; base: Record<string, number>; candidate: Record<string, number> }[] =
      await this.dataSource.query(
        `SELECT DISTINCT ON (b.case_id) b.case_id,
           (SELECT jsonb_object_agg(s->>'metric', s->'score') FROM jsonb_array_elements(b.scores) s) AS base,
           (SELECT jsonb_object_agg(s->>'metric', s->'score') FROM jsonb_array_elements(c.scores) s) AS candidate
         FROM "runs".run_cases b
         JOIN "runs".run_cases c
           ON c.tenant_id = b.tenant_id AND c.project_id = b.project_id AND c.run_id = $4
          AND c.case_id = b.case_id AND c.status = 'evaluated'
         WHERE b.tenant_id = $1 AND b.project_id = $2 AND b.run_id = $3 AND b.status = 'evaluated'
           AND b.case_id IS NOT NULL
         ORDER BY b.case_id, b.case_index, c.case_index`,
        [tenantId, projectId, runId, otherRunId],
      );
    return rows.map((row) => ({ caseId: row.case_id, base: row.base ?? {}, candidate: row.candidate ?? {} }));
  }

  /**
   * The project's latest completed run that passed its gate on this dataset key, other than the run
   * being judged, with its evaluated cases' scores: a gate computes any aggregate of the baseline
   * (percentiles, pass rates at any threshold) from them exactly as for the run it judges. A
   * completed run's cases are all in the read model: they precede its RunCompleted on its partition.
   */
  async findBaseline(
    tenantId: string,
    projectId: string,
    datasetKey: string,
    excludeRunId: string | null,
  ): Promise<Baseline | null> {
    const rows: { run_id: string }[] = await this.dataSource.query(
      `SELECT run_id FROM "runs".runs
       WHERE ${VISIBLE} AND dataset_key = $3 AND gate_passed = true AND status = 'completed'
         AND ($4::text IS NULL OR run_id <> $4)
       ORDER BY finished_at DESC, run_id DESC LIMIT 1`,
      [tenantId, projectId, datasetKey, excludeRunId],
    );
    const runId = rows[0]?.run_id;
    return runId === undefined ? null : { runId, scores: await this.caseScores(tenantId, projectId, runId) };
  }

  /**
   * Domain Memory's learned baselines of a dataset (memory's dataset key) for these metrics, as
   * the latest LearningUpdated of each left them; a metric memory has not learned is absent.
   */
  async findLearnedBaselines(
    tenantId: string,
    projectId: string,
    memoryDatasetKey: string,
    metrics: readonly string[],
  ): Promise<LearnedBaselines> {
    const rows: LearnedBaselineRow[] = await this.dataSource.query(
      `SELECT metric, learning_id, version, run_id, mean, p10, p50, p90, pass_rate FROM "runs".learned_baselines
       WHERE tenant_id = $1 AND project_id = $2 AND dataset_key = $3 AND metric = ANY($4::text[])`,
      [tenantId, projectId, memoryDatasetKey, [...metrics]],
    );
    const learnings = new Map<string, LearnedBaseline>(
      rows.map((row) => [
        row.metric,
        {
          learningId: row.learning_id,
          version: row.version,
          runId: row.run_id,
          mean: row.mean,
          p10: row.p10,
          p50: row.p50,
          p90: row.p90,
          passRate: row.pass_rate,
        },
      ]),
    );
    return { source: 'memory', learnings };
  }

  /** Every evaluated case's score per metric, in case order. */
  private async caseScores(tenantId: string, projectId: string, runId: string): Promise<Map<string, number[]>> {
    const rows: { metric: string; scores: number[] }[] = await this.dataSource.query(
      `SELECT score->>'metric' AS metric, array_agg((score->>'score')::float8 ORDER BY c.case_index) AS scores
       FROM "runs".run_cases c CROSS JOIN LATERAL jsonb_array_elements(c.scores) AS score
       WHERE c.tenant_id = $1 AND c.project_id = $2 AND c.run_id = $3 AND c.status = 'evaluated'
       GROUP BY score->>'metric'`,
      [tenantId, projectId, runId],
    );
    return new Map(rows.map((row) => [row.metric, row.scores.map(Number)]));
  }
}

interface LearnedBaselineRow {
  metric: string;
  learning_id: string;
  version: number;
  run_id: string;
  mean: number;
  p10: number;
  p50: number;
  p90: number;
  pass_rate: number;
}

function labelPair(label: string): Record<string, string> {
  const separator = label.indexOf('=');
  if (separator < 1) throw new RunsQueryError('INVALID_FILTER', 'label filter is key=value');
  return { [label.slice(0, separator)]: label.slice(separator + 1) };
}
