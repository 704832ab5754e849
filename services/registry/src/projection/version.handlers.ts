import type { EntityManager } from 'typeorm';
import type {
  DatasetVersionRegistered,
  ModelProfileVersionRegistered,
  PromptVersionRegistered,
  RegistryVersionApproved,
  RegistryVersionRejected,
} from '@evalvault/contracts';
import type { DatasetDetails, ModelProfileDetails, PromptDetails } from '@evalvault/service-apis';
import type { ResourceKind } from '../resource/resource-kind.js';
import { REGISTRY_SCHEMA as S } from '../migrations/registry.migrations.js';

type Registered = DatasetVersionRegistered | PromptVersionRegistered | ModelProfileVersionRegistered;

interface RegisteredRow {
  kind: ResourceKind;
  resourceId: string;
  details: DatasetDetails | PromptDetails | ModelProfileDetails;
}

function rowOf(event: Registered): RegisteredRow {
  switch (event.type) {
    case 'DatasetVersionRegistered': {
      const { datasetId, format, caseCount, description } = event.payload;
      return {
        kind: 'dataset',
        resourceId: datasetId,
        details: { format: format as 'jsonl', caseCount, description: description ?? null },
      };
    }
    case 'PromptVersionRegistered': {
      const { promptId, template, variables } = event.payload;
      return { kind: 'prompt', resourceId: promptId, details: { template, variables } };
    }
    case 'ModelProfileVersionRegistered': {
      const { modelProfileId, provider, model, parametersJson } = event.payload;
      return {
        kind: 'model_profile',
        resourceId: modelProfileId,
        details: { provider, model, parameters: JSON.parse(parametersJson) as Record<string, unknown> },
      };
    }
  }
}

/** A new version, and its resource created or moved to it. Idempotent by key, besides the inbox. */
export async function onVersionRegistered(manager: EntityManager, event: Registered): Promise<void> {
  const { kind, resourceId, details } = rowOf(event);
  const { name, version, contentHash } = event.payload;
  const at = new Date(event.occurredAt);
  await manager.query(
    `INSERT INTO ${S}.versions (resource_id, version, kind, tenant_id, project_id, name, content_hash, details,
       registered_by, registered_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (resource_id, version) DO NOTHING`,
    [
      resourceId,
      version,
      kind,
      event.tenantId,
      event.projectId,
      name,
      contentHash,
      JSON.stringify(details),
      event.actor.subject,
      at,
    ],
  );
  await manager.query(
    `INSERT INTO ${S}.resources (resource_id, kind, tenant_id, project_id, name, latest_version, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
     ON CONFLICT (resource_id) DO UPDATE SET latest_version = EXCLUDED.latest_version, updated_at = EXCLUDED.updated_at
       WHERE ${S}.resources.latest_version < EXCLUDED.latest_version`,
    [resourceId, kind, event.tenantId, event.projectId, name, version, at],
  );
}

/**
 * Marks the version approved. A version the model does not have yet fails the effect (nothing is
 * recorded in the inbox), so the approval is applied again once its registration has arrived.
 */
export async function onVersionApproved(manager: EntityManager, event: RegistryVersionApproved): Promise<void> {
  const { resourceId, version, comment } = event.payload;
  const [, updated] = (await manager.query(
    `UPDATE ${S}.versions SET approved_by = $3, approved_at = $4, approval_comment = $5
      WHERE resource_id = $1 AND version = $2`,
    [resourceId, version, event.actor.subject, new Date(event.occurredAt), comment ?? null],
  )) as [unknown, number];
  if (updated === 0) throw new Error(`approval of ${resourceId} v${version} arrived before its registration`);
}

/** Marks the version rejected, with the reason; like an approval, it waits for the registration. */
export async function onVersionRejected(manager: EntityManager, event: RegistryVersionRejected): Promise<void> {
  const { resourceId, version, reason } = event.payload;
  const [, updated] = (await manager.query(
    `UPDATE ${S}.versions SET rejected_by = $3, rejected_at = $4, rejection_reason = $5
      WHERE resource_id = $1 AND version = $2`,
    [resourceId, version, event.actor.subject, new Date(event.occurredAt), reason],
  )) as [unknown, number];
  if (updated === 0) throw new Error(`rejection of ${resourceId} v${version} arrived before its registration`);
}
