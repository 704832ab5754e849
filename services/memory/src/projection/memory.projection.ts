import type { DataSource, EntityManager } from 'typeorm';
import type {
  BehaviourObserved,
  BehaviourRecorded,
  EvalVaultEvent,
  FactConflictFlagged,
  FactContradicted,
  FactDecayed,
  FactProposed,
  FactRejected,
  FactsConsolidated,
  FactSupported,
  FactVerified,
  LearningUpdated,
  MemoryDeletionRequested,
  MemoryMaintenanceCompleted,
  MemoryPolicyChanged,
  MemorySource,
  EntriesForgotten,
} from '@evalvault/contracts';
import { InboxProjection, type ProjectionEffect } from '@evalvault/platform';
import { ContentKeys } from '../keys/content-keys.js';
import { MEMORY_SCHEMA as S } from '../migrations/memory.migrations.js';
import { normaliseText } from './normalise.js';

/** The inbox consumer name of this read model. */
export const MEMORY_READ_MODEL_CONSUMER = 'memory-read-model';

/** Event types this read model applies: memory's own. */
export const MEMORY_READ_MODEL_EVENT_TYPES = [
  'FactProposed',
  'FactSupported',
  'FactVerified',
  'FactRejected',
  'FactConflictFlagged',
  'FactContradicted',
  'FactDecayed',
  'FactsConsolidated',
  'FactForgotten',
  'BehaviourRecorded',
  'BehaviourObserved',
  'BehaviourForgotten',
  'LearningUpdated',
  'MemoryPolicyChanged',
  'MemoryDeletionRequested',
  'EntriesForgotten',
  'MemoryMaintenanceCompleted',
] as const;

/** Every read-model table a rebuild empties (content keys, formation state and insights are not derived). */
export const MEMORY_READ_MODEL_TABLES = [
  'facts',
  'behaviours',
  'learnings',
  'policies',
  'deletion_requests',
  'maintenance',
] as const;

interface FactText {
  subject: string;
  predicate: string;
  object: string;
}
interface BehaviourText {
  trigger: string;
  action: string;
}

const sourcesJson = (sources: readonly MemorySource[]): string =>
  JSON.stringify(sources.map(({ kind, id, runId }) => ({ kind, id, runId: runId ?? null })));

/**
 * Domain Memory's read model, fed from the bus (and, for read-your-writes, by the commands with
 * the events they just appended; the inbox makes the bus's later copy a no-op). Each event is
 * applied effectively once.
 *
 * Text arrives sealed: a fact or behaviour is opened with its content key when it is proposed
 * or recorded. An entry whose key is gone (forgotten) is skipped, so a rebuild from the event
 * store never brings forgotten text back; the events that follow it find no row and change
 * nothing. A forgotten entry's row is deleted and its key destroyed (again, idempotently).
 */
export class MemoryProjection extends InboxProjection {
  constructor(
    dataSource: DataSource,
    private readonly keys: ContentKeys = new ContentKeys(dataSource),
  ) {
    super(dataSource, S, MEMORY_READ_MODEL_CONSUMER);
  }

  protected effectOf(event: EvalVaultEvent): ProjectionEffect | null {
    const keys = this.keys;
    switch (event.type) {
      case 'FactProposed':
        return (manager) => onFactProposed(manager, keys, event);
      case 'FactSupported':
        return (manager) => onFactSupported(manager, event);
      case 'FactVerified':
        return (manager) => onFactVerified(manager, event);
      case 'FactRejected':
        return (manager) => onFactRejected(manager, event);
      case 'FactConflictFlagged':
        return (manager) => onConflictFlagged(manager, event);
      case 'FactContradicted':
        return (manager) => onContradicted(manager, event);
      case 'FactDecayed':
        return (manager) => onDecayed(manager, event);
      case 'FactsConsolidated':
        return (manager) => onConsolidated(manager, event);
      case 'FactForgotten':
        return (manager) => forgetFacts(manager, keys, event.tenantId, [event.payload.factId]);
      case 'BehaviourRecorded':
        return (manager) => onBehaviourRecorded(manager, keys, event);
      case 'BehaviourObserved':
        return (manager) => onBehaviourObserved(manager, event);
      case 'BehaviourForgotten':
        return (manager) => forgetBehaviours(manager, keys, event.tenantId, [event.payload.behaviourId]);
      case 'LearningUpdated':
        return (manager) => onLearningUpdated(manager, event);
      case 'MemoryPolicyChanged':
        return (manager) => onPolicyChanged(manager, event);
      case 'MemoryDeletionRequested':
        return (manager) => onDeletionRequested(manager, event);
      case 'EntriesForgotten':
        return (manager) => onEntriesForgotten(manager, keys, event);
      case 'MemoryMaintenanceCompleted':
        return (manager) => onMaintenanceCompleted(manager, event);
      default:
        return null;
    }
  }
}

async function onFactProposed(manager: EntityManager, keys: ContentKeys, event: FactProposed): Promise<void> {
  const p = event.payload;
  const text = await keys.open<FactText>(event.tenantId, p.keyId, p.sealed, manager);
  if (!text) return; // forgotten for good: its text is unreadable, the fact is not brought back
  const at = new Date(event.occurredAt);
  const status = p.kind === 'verified' ? 'verified' : 'proposed';
  await manager.query(
    `INSERT INTO ${S}.facts (fact_id, tenant_id, project_id, subject, predicate, object, subject_norm, domain,
       language, kind, status, verification_score, verification_count, last_verified_at, proposed_at, updated_at,
       support_count, sources)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, 1, $16)
     ON CONFLICT (fact_id) DO NOTHING`,
    [
      p.factId,
      event.tenantId,
      event.projectId,
      text.subject,
      text.predicate,
      text.object,
      normaliseText(text.subject),
      p.domain,
      p.language,
      p.kind === 'verified' ? 'verified' : 'inferred',
      status,
      p.verificationScore,
      p.kind === 'verified' ? 1 : 0,
      p.kind === 'verified' ? at : null,
      at,
      sourcesJson(p.sources),
    ],
  );
}

/** Rows of this tenant only: ids are unique across tenants, the filter is belt and braces. */
const FACT = `fact_id = $1 AND tenant_id = $2`;

async function onFactSupported(manager: EntityManager, event: FactSupported): Promise<void> {
  const p = event.payload;
  await manager.query(
    `UPDATE ${S}.facts SET sources = sources || $3::jsonb, support_count = support_count + 1, updated_at = $4
     WHERE ${FACT}`,
    [p.factId, event.tenantId, sourcesJson(p.sources), new Date(event.occurredAt)],
  );
}

async function onFactVerified(manager: EntityManager, event: FactVerified): Promise<void> {
  const p = event.payload;
  const at = new Date(event.occurredAt);
  await manager.query(
    `UPDATE ${S}.facts SET status = 'verified', kind = 'verified', verification_score = $3,
       verification_count = $4, last_verified_at = $5, last_decayed_at = NULL, verified_by = $6, reason = $7,
       updated_at = $5
     WHERE ${FACT}`,
    [p.factId, event.tenantId, p.verificationScore, p.verificationCount, at, event.actor.subject, p.reason],
  );
}

async function onFactRejected(manager: EntityManager, event: FactRejected): Promise<void> {
  const p = event.payload;
  await manager.query(
    `UPDATE ${S}.facts SET status = 'rejected', verified_by = $3, reason = $4, updated_at = $5 WHERE ${FACT}`,
    [p.factId, event.tenantId, event.actor.subject, p.reason, new Date(event.occurredAt)],
  );
}

async function onConflictFlagged(manager: EntityManager, event: FactConflictFlagged): Promise<void> {
  const p = event.payload;
  await manager.query(
    `UPDATE ${S}.facts SET conflict_with = array_append(conflict_with, $3), updated_at = $4
     WHERE ${FACT} AND NOT ($3 = ANY (conflict_with))`,
    [p.factId, event.tenantId, p.conflictingFactId, new Date(event.occurredAt)],
  );
}

/** Resolution: this fact becomes contradictory; neither side is in conflict with the other any more. */
async function onContradicted(manager: EntityManager, event: FactContradicted): Promise<void> {
  const p = event.payload;
  const at = new Date(event.occurredAt);
  await manager.query(
    `UPDATE ${S}.facts SET kind = 'contradictory', conflict_with = array_remove(conflict_with, $3), reason = $4,
       updated_at = $5
     WHERE ${FACT}`,
    [p.factId, event.tenantId, p.keptFactId, p.reason, at],
  );
  await manager.query(
    `UPDATE ${S}.facts SET conflict_with = array_remove(conflict_with, $3), updated_at = $4 WHERE ${FACT}`,
    [p.keptFactId, event.tenantId, p.factId, at],
  );
}

async function onDecayed(manager: EntityManager, event: FactDecayed): Promise<void> {
  const p = event.payload;
  await manager.query(
    `UPDATE ${S}.facts SET verification_score = $3, last_decayed_at = $4, updated_at = $5 WHERE ${FACT}`,
    [p.factId, event.tenantId, p.to, new Date(p.decayedThrough ?? event.occurredAt), new Date(event.occurredAt)],
  );
}

async function onConsolidated(manager: EntityManager, event: FactsConsolidated): Promise<void> {
  const p = event.payload;
  await manager.query(
    `UPDATE ${S}.facts SET sources = sources || $3::jsonb, support_count = support_count + $4, updated_at = $5
     WHERE ${FACT}`,
    [p.keptFactId, event.tenantId, sourcesJson(p.sources), p.mergedFactIds.length, new Date(event.occurredAt)],
  );
}

/** Forgetting: the rows go, the keys are destroyed, nothing points at the facts any more. */
export async function forgetFacts(
  manager: EntityManager,
  keys: ContentKeys,
  tenantId: string,
  factIds: readonly string[],
): Promise<void> {
  if (factIds.length === 0) return;
  await manager.query(`DELETE FROM ${S}.facts WHERE tenant_id = $1 AND fact_id = ANY ($2::text[])`, [
    tenantId,
    factIds,
  ]);
  await manager.query(
    `UPDATE ${S}.facts SET conflict_with = ARRAY(SELECT c FROM unnest(conflict_with) c WHERE c <> ALL ($2::text[]))
     WHERE tenant_id = $1 AND conflict_with && $2::text[]`,
    [tenantId, factIds],
  );
  await keys.destroy(tenantId, factIds, manager);
}

export async function forgetBehaviours(
  manager: EntityManager,
  keys: ContentKeys,
  tenantId: string,
  behaviourIds: readonly string[],
): Promise<void> {
  if (behaviourIds.length === 0) return;
  await manager.query(`DELETE FROM ${S}.behaviours WHERE tenant_id = $1 AND behaviour_id = ANY ($2::text[])`, [
    tenantId,
    behaviourIds,
  ]);
  await keys.destroy(tenantId, behaviourIds, manager);
}

async function onBehaviourRecorded(manager: EntityManager, keys: ContentKeys, event: BehaviourRecorded): Promise<void> {
  const p = event.payload;
  const text = await keys.open<BehaviourText>(event.tenantId, p.keyId, p.sealed, manager);
  if (!text) return;
  const at = new Date(event.occurredAt);
  await manager.query(
    `INSERT INTO ${S}.behaviours (behaviour_id, tenant_id, project_id, trigger, action, success_rate, use_count,
       tokens_saved, sources, recorded_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) ON CONFLICT (behaviour_id) DO NOTHING`,
    [
      p.behaviourId,
      event.tenantId,
      event.projectId,
      text.trigger,
      text.action,
      p.successRate,
      p.useCount,
      p.tokensSaved,
      sourcesJson(p.sources),
      at,
    ],
  );
}

/** One more use: the success rate is the running share of successful uses. */
async function onBehaviourObserved(manager: EntityManager, event: BehaviourObserved): Promise<void> {
  const p = event.payload;
  await manager.query(
    `UPDATE ${S}.behaviours SET
       success_rate = (success_rate * use_count + $3) / (use_count + 1),
       use_count = use_count + 1, tokens_saved = tokens_saved + $4,
       sources = sources || $5::jsonb, updated_at = $6
     WHERE behaviour_id = $1 AND tenant_id = $2`,
    [
      p.behaviourId,
      event.tenantId,
      p.succeeded ? 1 : 0,
      p.tokensSaved,
      sourcesJson([p.source]),
      new Date(event.occurredAt),
    ],
  );
}

async function onLearningUpdated(manager: EntityManager, event: LearningUpdated): Promise<void> {
  const p = event.payload;
  await manager.query(
    `INSERT INTO ${S}.learnings (learning_id, tenant_id, project_id, dataset_key, metric, run_id, baseline,
       reliability, failure_patterns, success_patterns, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (learning_id) DO UPDATE SET run_id = EXCLUDED.run_id, baseline = EXCLUDED.baseline,
       reliability = EXCLUDED.reliability, failure_patterns = EXCLUDED.failure_patterns,
       success_patterns = EXCLUDED.success_patterns, updated_at = EXCLUDED.updated_at`,
    [
      p.learningId,
      event.tenantId,
      event.projectId,
      p.datasetKey,
      p.metric,
      p.runId,
      JSON.stringify(p.baseline),
      JSON.stringify(p.reliability),
      JSON.stringify(p.failurePatterns),
      JSON.stringify(p.successPatterns),
      new Date(event.occurredAt),
    ],
  );
}

async function onPolicyChanged(manager: EntityManager, event: MemoryPolicyChanged): Promise<void> {
  const { version, ...policy } = JSON.parse(event.payload.policyJson) as { version?: number } & Record<string, unknown>;
  await manager.query(
    `INSERT INTO ${S}.policies (tenant_id, project_id, policy, version, updated_by, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (tenant_id, project_id) DO UPDATE SET policy = EXCLUDED.policy, version = EXCLUDED.version,
       updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
     WHERE ${S}.policies.version < EXCLUDED.version`,
    [
      event.tenantId,
      event.projectId,
      JSON.stringify(policy),
      version ?? 1,
      event.actor.subject,
      new Date(event.occurredAt),
    ],
  );
}

async function onDeletionRequested(manager: EntityManager, event: MemoryDeletionRequested): Promise<void> {
  const p = event.payload;
  await manager.query(
    `INSERT INTO ${S}.deletion_requests (request_id, tenant_id, project_id, target, target_hash, matched,
       requested_by, requested_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (request_id) DO NOTHING`,
    [
      p.requestId,
      event.tenantId,
      event.projectId,
      p.target,
      p.targetHash,
      p.matched,
      event.actor.subject,
      new Date(event.occurredAt),
    ],
  );
}

/** The summary: its entries are gone (each has its own event too); a deletion request records what it removed. */
async function onEntriesForgotten(manager: EntityManager, keys: ContentKeys, event: EntriesForgotten): Promise<void> {
  const p = event.payload;
  const ids = (kind: string) => p.entries.filter((entry) => entry.kind === kind).map((entry) => entry.id);
  await forgetFacts(manager, keys, event.tenantId, ids('fact'));
  await forgetBehaviours(manager, keys, event.tenantId, ids('behaviour'));
  if (p.requestId)
    await manager.query(`UPDATE ${S}.deletion_requests SET entries = $3 WHERE request_id = $1 AND tenant_id = $2`, [
      p.requestId,
      event.tenantId,
      JSON.stringify(p.entries.map(({ kind, id }) => ({ kind, id }))),
    ]);
}

async function onMaintenanceCompleted(manager: EntityManager, event: MemoryMaintenanceCompleted): Promise<void> {
  await manager.query(
    `INSERT INTO ${S}.maintenance (tenant_id, project_id, last_run_at, last_summary) VALUES ($1, $2, $3, $4)
     ON CONFLICT (tenant_id, project_id) DO UPDATE SET last_run_at = EXCLUDED.last_run_at,
       last_summary = EXCLUDED.last_summary
     WHERE ${S}.maintenance.last_run_at <= EXCLUDED.last_run_at`,
    [event.tenantId, event.projectId, new Date(event.occurredAt), JSON.stringify(event.payload)],
  );
}
