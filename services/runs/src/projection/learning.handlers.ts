import type { EntityManager } from 'typeorm';
import type { EventOfType } from '@evalvault/contracts';

/**
 * Keeps this service's copy of Domain Memory's learned baseline of one dataset and metric, from
 * LearningUpdated (the whole learning each time). Its version is the number of runs it learned
 * from (baseline.count), one more per update: a row is replaced only by a later version, so a
 * redelivery, or an older update arriving late, changes nothing. The inbox already drops exact
 * redeliveries; the version also orders two updates of one learning whichever way they come.
 */
export async function onLearningUpdated(manager: EntityManager, event: EventOfType<'LearningUpdated'>): Promise<void> {
  const { payload: p } = event;
  const { baseline } = p;
  await manager.query(
    `INSERT INTO "runs".learned_baselines AS l (tenant_id, project_id, dataset_key, metric, learning_id, version,
       run_id, mean, p10, p50, p90, pass_rate, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (tenant_id, project_id, dataset_key, metric) DO UPDATE SET
       learning_id = EXCLUDED.learning_id, version = EXCLUDED.version, run_id = EXCLUDED.run_id,
       mean = EXCLUDED.mean, p10 = EXCLUDED.p10, p50 = EXCLUDED.p50, p90 = EXCLUDED.p90,
       pass_rate = EXCLUDED.pass_rate, updated_at = EXCLUDED.updated_at
     WHERE l.version < EXCLUDED.version`,
    [
      event.tenantId,
      event.projectId,
      p.datasetKey,
      p.metric,
      p.learningId,
      baseline.count,
      p.runId,
      baseline.mean,
      baseline.p10,
      baseline.p50,
      baseline.p90,
      baseline.passRate,
      new Date(event.occurredAt),
    ],
  );
}
