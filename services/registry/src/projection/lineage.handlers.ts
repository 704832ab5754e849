import type { EntityManager } from 'typeorm';
import type { RunCancelled, RunCompleted, RunFailed, RunRequested, VersionRef } from '@evalvault/contracts';
import type { ResourceKind } from '../resource/resource-kind.js';
import { REGISTRY_SCHEMA as S } from '../migrations/registry.migrations.js';

/** The registered versions a run pinned: inline datasets (no version) are not registry resources. */
function pinnedVersions(event: RunRequested): Array<{ kind: ResourceKind; ref: VersionRef & { version: number } }> {
  const { dataset, prompt, modelProfile } = event.payload;
  const refs: Array<[ResourceKind, VersionRef | null]> = [
    ['dataset', dataset],
    ['prompt', prompt],
    ['model_profile', modelProfile],
  ];
  return refs.flatMap(([kind, ref]) =>
    ref && ref.version !== null ? [{ kind, ref: { ...ref, version: ref.version } }] : [],
  );
}

export async function onRunRequested(manager: EntityManager, event: RunRequested): Promise<void> {
  for (const { kind, ref } of pinnedVersions(event)) {
    await manager.query(
      `INSERT INTO ${S}.lineage (run_id, kind, resource_id, version, tenant_id, project_id, content_hash, config_hash,
         status, requested_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'requested', $9) ON CONFLICT (run_id, kind) DO NOTHING`,
      [
        event.payload.runId,
        kind,
        ref.id,
        ref.version,
        event.tenantId,
        event.projectId,
        ref.contentHash,
        event.payload.configHash,
        new Date(event.occurredAt),
      ],
    );
  }
}

/** How the run ended; runs of inline datasets have no lineage rows, and the update finds none. */
export async function onRunFinished(
  manager: EntityManager,
  event: RunCompleted | RunFailed | RunCancelled,
): Promise<void> {
  const status = { RunCompleted: 'completed', RunFailed: 'failed', RunCancelled: 'cancelled' }[event.type];
  await manager.query(`UPDATE ${S}.lineage SET status = $2, finished_at = $3 WHERE run_id = $1 AND tenant_id = $4`, [
    event.payload.runId,
    status,
    new Date(event.occurredAt),
    event.tenantId,
  ]);
}
