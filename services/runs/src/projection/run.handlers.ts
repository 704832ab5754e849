import type { EntityManager } from 'typeorm';
import type { EventOfType } from '@evalvault/contracts';
import { datasetKeyOf } from './dataset-key.js';
import { NO_USAGE } from './run-usage.js';

// Every statement names tenant and project next to the run id: an event can only ever
// change a run of its own tenant and project, whatever run id it carries.
const OWN_RUN = 'run_id = $1 AND tenant_id = $2 AND project_id = $3';
const NOT_FINISHED = `status IN ('requested', 'running')`;
const at = (epochMs: number): Date => new Date(epochMs);
const json = (value: unknown): string => JSON.stringify(value);

/**
 * Inserts the run, or fills in the placeholder an early gate verdict left (gate events
 * travel on another topic and may overtake the request). A placeholder of another
 * tenant is never taken over, and a filled row is never overwritten.
 */
export async function onRunRequested(manager: EntityManager, event: EventOfType<'RunRequested'>): Promise<void> {
  const { payload: p } = event;
  await manager.query(
    `INSERT INTO "runs".runs AS r (run_id, tenant_id, project_id, dataset_id, dataset_name, dataset_version,
       dataset_content_hash, dataset_key, status, metrics, gate_rules, config_hash, labels, retry_of, requested_by,
       requested_at, prompt_ref, model_profile_ref, judge, memory_use)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'requested', $9, $10, $11, $12::jsonb, $13, $14, $15, $16::jsonb,
       $17::jsonb, $18::jsonb, $19)
     ON CONFLICT (run_id) DO UPDATE SET
       dataset_id = EXCLUDED.dataset_id, dataset_name = EXCLUDED.dataset_name,
       dataset_version = EXCLUDED.dataset_version, dataset_content_hash = EXCLUDED.dataset_content_hash,
       dataset_key = EXCLUDED.dataset_key, metrics = EXCLUDED.metrics, gate_rules = EXCLUDED.gate_rules,
       config_hash = EXCLUDED.config_hash, labels = EXCLUDED.labels, retry_of = EXCLUDED.retry_of,
       requested_by = EXCLUDED.requested_by, requested_at = EXCLUDED.requested_at, prompt_ref = EXCLUDED.prompt_ref,
       model_profile_ref = EXCLUDED.model_profile_ref, judge = EXCLUDED.judge, memory_use = EXCLUDED.memory_use
     WHERE r.requested_at IS NULL AND r.tenant_id = EXCLUDED.tenant_id AND r.project_id = EXCLUDED.project_id`,
    [
      p.runId,
      event.tenantId,
      event.projectId,
      p.dataset.id,
      p.dataset.name,
      p.dataset.version,
      p.dataset.contentHash,
      datasetKeyOf(p.dataset),
      p.metrics,
      p.gateRules,
      p.configHash,
      json(p.labels),
      p.retryOf,
      event.actor.subject,
      at(event.occurredAt),
      json(p.prompt),
      json(p.modelProfile),
      json(p.judge ?? null), // null before RunRequested v3
      p.memory?.use ?? false, // null before RunRequested v5
    ],
  );
}

export async function onRunStarted(manager: EntityManager, event: EventOfType<'RunStarted'>): Promise<void> {
  await manager.query(
    `UPDATE "runs".runs SET status = 'running', total_cases = $4, started_at = $5
      WHERE ${OWN_RUN} AND status = 'requested'`,
    [event.payload.runId, event.tenantId, event.projectId, event.payload.totalCases, at(event.occurredAt)],
  );
}

/**
 * Counters stay those the case rows produced; the completion brings totals, aggregates and the final usage
 * (the sum of every case's, retries and failed cases included). Its usage is null when the run made no LLM
 * call and had no cached answer: then it used nothing, which also fills in a row from before the usage columns.
 */
export async function onRunCompleted(manager: EntityManager, event: EventOfType<'RunCompleted'>): Promise<void> {
  const { payload: p } = event;
  const usage = p.usage ?? NO_USAGE;
  await manager.query(
    `UPDATE "runs".runs SET status = 'completed', total_cases = $4, aggregates = $5::jsonb, finished_at = $6,
       cost_usd = $7::numeric, llm_requests = $8, prompt_tokens = $9, completion_tokens = $10, cache_hits = $11
     WHERE ${OWN_RUN} AND ${NOT_FINISHED}`,
    [
      p.runId,
      event.tenantId,
      event.projectId,
      p.totalCases,
      json(p.aggregates),
      at(event.occurredAt),
      usage.costUsd,
      usage.requests,
      usage.promptTokens,
      usage.completionTokens,
      usage.cacheHits,
    ],
  );
}

export async function onRunFailed(manager: EntityManager, event: EventOfType<'RunFailed'>): Promise<void> {
  await manager.query(
    `UPDATE "runs".runs SET status = 'failed', failure_reason = $4, failure_message = $5, finished_at = $6
     WHERE ${OWN_RUN} AND ${NOT_FINISHED}`,
    [
      event.payload.runId,
      event.tenantId,
      event.projectId,
      event.payload.reason,
      event.payload.message,
      at(event.occurredAt),
    ],
  );
}

/** A cancellation is reported like a failure with reason "cancelled" and the canceller's words. */
export async function onRunCancelled(manager: EntityManager, event: EventOfType<'RunCancelled'>): Promise<void> {
  await manager.query(
    `UPDATE "runs".runs SET status = 'cancelled', failure_reason = 'cancelled', failure_message = $4, finished_at = $5
     WHERE ${OWN_RUN} AND ${NOT_FINISHED}`,
    [event.payload.runId, event.tenantId, event.projectId, event.payload.reason, at(event.occurredAt)],
  );
}

/**
 * Records the verdict. The subject carries the run's lineage, so a verdict that arrives
 * before its RunRequested leaves a placeholder (requested_at NULL) the request fills in.
 */
export async function onGateVerdict(
  manager: EntityManager,
  event: EventOfType<'GatePassed' | 'GateFailed'>,
): Promise<void> {
  const { subject, rules, baselineRunId, baselineSource } = event.payload;
  await manager.query(
    `INSERT INTO "runs".runs AS r (run_id, tenant_id, project_id, dataset_id, dataset_name, dataset_version,
       dataset_content_hash, dataset_key, status, config_hash, prompt_ref, model_profile_ref, gate_passed,
       gate_rules_result, baseline_run_id, baseline_source)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'requested', $9, $10::jsonb, $11::jsonb, $12, $13::jsonb, $14,
       $15::jsonb)
     ON CONFLICT (run_id) DO UPDATE SET gate_passed = EXCLUDED.gate_passed,
       gate_rules_result = EXCLUDED.gate_rules_result, baseline_run_id = EXCLUDED.baseline_run_id,
       baseline_source = EXCLUDED.baseline_source
     WHERE r.tenant_id = EXCLUDED.tenant_id AND r.project_id = EXCLUDED.project_id`,
    [
      subject.runId,
      event.tenantId,
      event.projectId,
      subject.dataset.id,
      subject.dataset.name,
      subject.dataset.version,
      subject.dataset.contentHash,
      datasetKeyOf(subject.dataset),
      subject.configHash,
      json(subject.prompt),
      json(subject.modelProfile),
      event.type === 'GatePassed',
      json(rules),
      baselineRunId,
      json(baselineSource ?? null), // null before GatePassed/GateFailed v3
    ],
  );
}
