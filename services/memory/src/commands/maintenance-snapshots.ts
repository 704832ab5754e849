import type { Scope } from '@evalvault/platform';
import type { DataSource } from 'typeorm';
import type { BehaviourSnapshot, FactSnapshot } from '../domain/index.js';
import { MEMORY_SCHEMA as S } from '../migrations/memory.migrations.js';

interface FactSnapshotRow {
  fact_id: string;
  subject: string;
  predicate: string;
  object: string;
  status: FactSnapshot['status'];
  kind: FactSnapshot['kind'];
  verification_score: number;
  verification_count: number;
  proposed_at: Date;
  last_verified_at: Date | null;
  last_decayed_at: Date | null;
  conflict_with: string[];
}

/** The project's facts as a maintenance pass plans over them (read model, decrypted text). */
export async function factSnapshots(dataSource: DataSource, scope: Scope): Promise<FactSnapshot[]> {
  const rows: FactSnapshotRow[] = await dataSource.query(
    `SELECT fact_id, subject, predicate, object, status, kind, verification_score, verification_count, proposed_at,
       last_verified_at, last_decayed_at, conflict_with
     FROM ${S}.facts WHERE tenant_id = $1 AND project_id = $2 ORDER BY fact_id`,
    [scope.tenantId, scope.projectId],
  );
  return rows.map((row) => ({
    factId: row.fact_id,
    subject: row.subject,
    predicate: row.predicate,
    object: row.object,
    status: row.status,
    kind: row.kind,
    score: Number(row.verification_score),
    verificationCount: row.verification_count,
    proposedAt: row.proposed_at.getTime(),
    lastVerifiedAt: row.last_verified_at?.getTime() ?? null,
    decayedThrough: row.last_decayed_at?.getTime() ?? null,
    conflicts: row.conflict_with,
  }));
}

/** The project's behaviours as a maintenance pass plans over them: updated_at is the last use's event time. */
export async function behaviourSnapshots(dataSource: DataSource, scope: Scope): Promise<BehaviourSnapshot[]> {
  const rows: { behaviour_id: string; success_rate: number; use_count: number; recorded_at: Date; updated_at: Date }[] =
    await dataSource.query(
      `SELECT behaviour_id, success_rate, use_count, recorded_at, updated_at
       FROM ${S}.behaviours WHERE tenant_id = $1 AND project_id = $2 ORDER BY behaviour_id`,
      [scope.tenantId, scope.projectId],
    );
  return rows.map((row) => ({
    behaviourId: row.behaviour_id,
    successRate: Number(row.success_rate),
    useCount: row.use_count,
    recordedAt: row.recorded_at.getTime(),
    lastUsedAt: row.updated_at.getTime(),
  }));
}
