import type { DataSource } from 'typeorm';
import type { Scope } from '@evalvault/platform';
import {
  FACT_KINDS,
  FACT_STATUSES,
  type BehaviourPage,
  type BehaviourView,
  type FactPage,
  type FactView,
  type LearningView,
  type ListDeletionsQuery,
  type ListLearningsQuery,
  type MemoryDeletionView,
  type MemoryPolicy,
  type MemorySourceView,
  type Page,
  type RunInsights,
  type SearchBehavioursQuery,
  type SearchFactsQuery,
} from '@evalvault/service-apis';
import { invalidInput, MemoryError, MemoryErrorCode, notFound } from '../api/memory-errors.js';
import { isFactUsable, usableFactSql } from '../domain/fact-usability.js';
import { MEMORY_SCHEMA as S } from '../migrations/memory.migrations.js';
import { listDeletionRequests } from './deletion-requests.queries.js';
import { BEHAVIOURS_CURSOR, decodeCursor, FACTS_CURSOR, LEARNINGS_CURSOR, pageSize } from './memory-cursor.js';

export interface FactRow {
  fact_id: string;
  tenant_id: string;
  project_id: string;
  subject: string;
  predicate: string;
  object: string;
  domain: string;
  language: string;
  kind: FactView['kind'];
  status: FactView['status'];
  verification_score: number;
  verification_count: number;
  last_verified_at: Date | null;
  last_decayed_at: Date | null;
  proposed_at: Date;
  updated_at: Date;
  sources: MemorySourceView[];
  conflict_with: string[];
  score?: number | null;
}

export interface BehaviourRow {
  behaviour_id: string;
  trigger: string;
  action: string;
  success_rate: number;
  use_count: number;
  tokens_saved: string | number;
  sources: MemorySourceView[];
  score?: number | null;
}

interface LearningRow {
  learning_id: string;
  dataset_key: string;
  metric: string;
  run_id: string;
  baseline: LearningView['baseline'];
  reliability: LearningView['reliability'];
  failure_patterns: LearningView['failurePatterns'];
  success_patterns: LearningView['successPatterns'];
  updated_at: Date;
}

const MAX_QUERY_LENGTH = 500;
const MAX_FILTER_LENGTH = 200;

export function factView(row: FactRow): FactView {
  return {
    factId: row.fact_id,
    subject: row.subject,
    predicate: row.predicate,
    object: row.object,
    domain: row.domain,
    language: row.language,
    kind: row.kind,
    status: row.status,
    verificationScore: Number(row.verification_score),
    verificationCount: row.verification_count,
    lastVerifiedAt: row.last_verified_at ? row.last_verified_at.toISOString() : null,
    proposedAt: row.proposed_at.toISOString(),
    sources: row.sources,
    conflictsWith: row.conflict_with,
    ...(row.score === undefined ? {} : { score: row.score === null ? null : round(row.score) }),
  };
}

export function behaviourView(row: BehaviourRow): BehaviourView {
  return {
    behaviourId: row.behaviour_id,
    trigger: row.trigger,
    action: row.action,
    successRate: Number(row.success_rate),
    useCount: row.use_count,
    tokensSaved: Number(row.tokens_saved),
    sources: row.sources,
    ...(row.score === undefined ? {} : { score: row.score === null ? null : round(row.score) }),
  };
}

function learningView(row: LearningRow): LearningView {
  return {
    learningId: row.learning_id,
    datasetKey: row.dataset_key,
    metric: row.metric,
    runId: row.run_id,
    baseline: row.baseline,
    reliability: row.reliability,
    failurePatterns: row.failure_patterns,
    successPatterns: row.success_patterns,
    updatedAt: row.updated_at.toISOString(),
  };
}

const round = (value: number): number => Math.round(Number(value) * 1e6) / 1e6;

function optionalText(name: string, value: unknown, max = MAX_FILTER_LENGTH): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || value.length > max) throw invalidInput(`${name}: text of at most ${max} characters`);
  return value;
}

function optionalChoice<T extends string>(name: string, value: unknown, choices: readonly T[]): T | null {
  if (value === undefined || value === null || value === '') return null;
  if (!choices.includes(value as T)) throw invalidInput(`${name}: one of ${choices.join(', ')}`);
  return value as T;
}

function optionalBoolean(name: string, value: unknown): boolean | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'boolean') throw invalidInput(`${name}: true or false`);
  return value;
}

/** A score filter: a number in [0, 1]. */
export function optionalUnitScore(name: string, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1)
    throw invalidInput(`${name}: a number from 0 to 1`);
  return value;
}

/** An entry id as memory makes them (32 hex); anything else cannot exist. */
const ENTRY_ID = /^[0-9a-f]{32}$/;
export function isEntryId(value: unknown): value is string {
  return typeof value === 'string' && ENTRY_ID.test(value);
}

/** How search ranks: text rank (normalised to the best hit), verification score and recency, weighted by policy. */
function weightsOf(policy: MemoryPolicy): [number, number, number, number] {
  const { textWeight, verificationWeight, recencyWeight, recencyHalfLifeDays } = policy.search;
  return [textWeight, verificationWeight, recencyWeight, recencyHalfLifeDays];
}

/**
 * What memory answers, always within one tenant and project: another scope's entry is "not
 * found". Search is PostgreSQL full text (`websearch_to_tsquery`, `ts_rank_cd`) over the generated
 * tsvectors, combined with the verification score and recency into the policy's hybrid score.
 */
export class MemoryQueries {
  private vectorAvailable: Promise<boolean> | null = null;

  constructor(private readonly dataSource: DataSource) {}

  /** Whether pgvector could be installed here: detected, reported, never required (memory searches without it). */
  vectorExtensionAvailable(): Promise<boolean> {
    this.vectorAvailable ??= this.dataSource
      .query(`SELECT 1 FROM pg_available_extensions WHERE name = 'vector'`)
      .then((rows: unknown[]) => rows.length > 0)
      .catch(() => false);
    return this.vectorAvailable;
  }

  async searchFacts(scope: Scope, query: SearchFactsQuery, policy: MemoryPolicy): Promise<FactPage> {
    const q = optionalText('q', query.q, MAX_QUERY_LENGTH);
    const domain = optionalText('domain', query.domain);
    const kind = optionalChoice('kind', query.kind, FACT_KINDS);
    const status = optionalChoice('status', query.status, FACT_STATUSES);
    const minScore = optionalUnitScore('minScore', query.minScore);
    const usable = optionalBoolean('usable', query.usable);
    const limit = pageSize(query.limit);
    const offset = query.cursor ? decodeCursor(FACTS_CURSOR, query.cursor).offset : 0;
    const [tw, vw, rw, halfLife] = weightsOf(policy);
    const params: unknown[] = [scope.tenantId, scope.projectId, domain, kind, status, minScore, tw, vw, rw, halfLife];
    params.push(usable, policy.inferredUsableBeforeVerification);
    const text = q !== null;
    if (text) params.push(q);
    const rows: FactRow[] = await this.dataSource.query(
      `WITH matched AS (
         SELECT f.*, ${text ? `ts_rank_cd(f.search, websearch_to_tsquery('english', $13))` : '0'} AS rank
         FROM ${S}.facts f
         WHERE f.tenant_id = $1 AND f.project_id = $2
           AND ($3::text IS NULL OR f.domain = $3) AND ($4::text IS NULL OR f.kind = $4)
           AND ($5::text IS NULL OR f.status = $5) AND ($6::float8 IS NULL OR f.verification_score >= $6)
           AND ($11::boolean IS NULL OR ${usableFactSql(12)} = $11)
           ${text ? `AND f.search @@ websearch_to_tsquery('english', $13)` : ''}
       ), scored AS (
         SELECT m.*,
           $7::float8 * COALESCE(m.rank / NULLIF(max(m.rank) OVER (), 0), 0)
           + $8::float8 * m.verification_score
           + $9::float8 * exp(-extract(epoch FROM (now() - COALESCE(m.last_verified_at, m.proposed_at)))
               / 86400.0 / $10::float8) AS score
         FROM matched m
       )
       SELECT * FROM scored
       ORDER BY ${text ? 'score DESC, fact_id' : 'proposed_at DESC, fact_id DESC'}
       OFFSET ${offset} LIMIT ${limit + 1}`,
      params,
    );
    return {
      items: rows
        .slice(0, limit)
        .map((row) => ({ ...factView({ ...row, score: Number(row.score) }), usable: isFactUsable(row, policy) })),
      nextCursor: rows.length > limit ? FACTS_CURSOR.encode({ offset: offset + limit }) : null,
      meta: { query: q, vector: false },
    };
  }

  async searchBehaviours(scope: Scope, query: SearchBehavioursQuery, policy: MemoryPolicy): Promise<BehaviourPage> {
    const q = optionalText('q', query.q, MAX_QUERY_LENGTH);
    const minScore = optionalUnitScore('minScore', query.minScore);
    const limit = pageSize(query.limit);
    const offset = query.cursor ? decodeCursor(BEHAVIOURS_CURSOR, query.cursor).offset : 0;
    const [tw, vw, rw, halfLife] = weightsOf(policy);
    const params: unknown[] = [scope.tenantId, scope.projectId, minScore, tw, vw, rw, halfLife];
    const text = q !== null;
    if (text) params.push(q);
    const rows: BehaviourRow[] = await this.dataSource.query(
      `WITH matched AS (
         SELECT b.*, ${text ? `ts_rank_cd(b.search, websearch_to_tsquery('english', $8))` : '0'} AS rank
         FROM ${S}.behaviours b
         WHERE b.tenant_id = $1 AND b.project_id = $2 AND ($3::float8 IS NULL OR b.success_rate >= $3)
           ${text ? `AND b.search @@ websearch_to_tsquery('english', $8)` : ''}
       ), scored AS (
         SELECT m.*,
           $4::float8 * COALESCE(m.rank / NULLIF(max(m.rank) OVER (), 0), 0)
           + $5::float8 * m.success_rate
           + $6::float8 * exp(-extract(epoch FROM (now() - m.updated_at)) / 86400.0 / $7::float8) AS score
         FROM matched m
       )
       SELECT * FROM scored
       ORDER BY ${text ? 'score DESC, behaviour_id' : 'updated_at DESC, behaviour_id DESC'}
       OFFSET ${offset} LIMIT ${limit + 1}`,
      params,
    );
    return {
      items: rows.slice(0, limit).map((row) => behaviourView({ ...row, score: Number(row.score) })),
      nextCursor: rows.length > limit ? BEHAVIOURS_CURSOR.encode({ offset: offset + limit }) : null,
      meta: { query: q, vector: false },
    };
  }

  async factRow(scope: Scope, factId: unknown): Promise<FactRow> {
    if (!isEntryId(factId)) throw notFound(`fact ${String(factId).slice(0, 64)}`);
    const rows: FactRow[] = await this.dataSource.query(`SELECT * FROM ${S}.facts WHERE fact_id = $1`, [factId]);
    const row = rows[0];
    if (!row) throw notFound(`fact ${factId}`);
    if (row.tenant_id !== scope.tenantId || row.project_id !== scope.projectId)
      throw new MemoryError(MemoryErrorCode.Foreign, `fact ${factId} not found`);
    return row;
  }

  async getFact(scope: Scope, factId: unknown): Promise<FactView> {
    return factView(await this.factRow(scope, factId));
  }

  async getBehaviour(scope: Scope, behaviourId: unknown): Promise<BehaviourView> {
    if (!isEntryId(behaviourId)) throw notFound(`behaviour ${String(behaviourId).slice(0, 64)}`);
    const rows: (BehaviourRow & { tenant_id: string; project_id: string })[] = await this.dataSource.query(
      `SELECT * FROM ${S}.behaviours WHERE behaviour_id = $1`,
      [behaviourId],
    );
    const row = rows[0];
    if (!row) throw notFound(`behaviour ${behaviourId}`);
    if (row.tenant_id !== scope.tenantId || row.project_id !== scope.projectId)
      throw new MemoryError(MemoryErrorCode.Foreign, `behaviour ${behaviourId} not found`);
    return behaviourView(row);
  }

  async listLearnings(scope: Scope, query: ListLearningsQuery): Promise<Page<LearningView>> {
    const dataset = optionalText('dataset', query.dataset);
    const metric = optionalText('metric', query.metric);
    const limit = pageSize(query.limit);
    const after = query.cursor ? decodeCursor(LEARNINGS_CURSOR, query.cursor) : null;
    const rows: LearningRow[] = await this.dataSource.query(
      `SELECT * FROM ${S}.learnings
       WHERE tenant_id = $1 AND project_id = $2 AND ($3::text IS NULL OR dataset_key = $3)
         AND ($4::text IS NULL OR metric = $4)
         AND ($5::text IS NULL OR (dataset_key, metric, learning_id) > ($5, $6, $7))
       ORDER BY dataset_key, metric, learning_id LIMIT ${limit + 1}`,
      [
        scope.tenantId,
        scope.projectId,
        dataset,
        metric,
        after?.dataset ?? null,
        after?.metric ?? null,
        after?.id ?? null,
      ],
    );
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return {
      items: items.map(learningView),
      nextCursor:
        rows.length > limit && last
          ? LEARNINGS_CURSOR.encode({ dataset: last.dataset_key, metric: last.metric, id: last.learning_id })
          : null,
    };
  }

  listDeletions(scope: Scope, query: ListDeletionsQuery): Promise<Page<MemoryDeletionView>> {
    return listDeletionRequests(this.dataSource, scope, query);
  }

  /** Every fact of the project, oldest first, a page at a time (export). */
  async *allFacts(scope: Scope, pageRows = 500): AsyncGenerator<FactRow> {
    let after = '';
    for (;;) {
      const rows: FactRow[] = await this.dataSource.query(
        `SELECT * FROM ${S}.facts WHERE tenant_id = $1 AND project_id = $2 AND fact_id > $3
         ORDER BY fact_id LIMIT ${pageRows}`,
        [scope.tenantId, scope.projectId, after],
      );
      yield* rows;
      if (rows.length < pageRows) return;
      after = rows.at(-1)!.fact_id;
    }
  }

  async runInsights(scope: Scope, runId: unknown): Promise<RunInsights> {
    if (typeof runId !== 'string' || runId.length === 0 || runId.length > 200)
      throw invalidInput('runId: the id of a run');
    const rows: { project_id: string; insights: RunInsights }[] = await this.dataSource.query(
      `SELECT project_id, insights FROM ${S}.run_insights WHERE tenant_id = $1 AND run_id = $2`,
      [scope.tenantId, runId],
    );
    const row = rows[0];
    if (!row || row.project_id !== scope.projectId) throw notFound(`insights of run ${runId}`);
    return row.insights;
  }
}
