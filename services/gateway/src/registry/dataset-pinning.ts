import type { InternalIdentity } from '@evalvault/platform';
import type { RegistryOperations, SubmitRunRequest } from '@evalvault/service-apis';
import type { ServiceClient } from '@evalvault/platform';

/**
 * A run of a registered dataset names `{id, version}`; the registry says which content that is.
 * The run then carries the version's content hash (RunRequested pins it; the runs planner streams
 * that content), so the run reads exactly what the registry holds for this caller's project:
 * another project's id is "not found" here, and a hash sent by the client is never trusted.
 */
export async function pinRegisteredDataset(
  registry: ServiceClient<RegistryOperations> | null,
  dataset: SubmitRunRequest['dataset'],
  identity: InternalIdentity,
): Promise<SubmitRunRequest['dataset']> {
  if (!('id' in dataset)) return dataset;
  if (!registry) return { id: dataset.id, version: dataset.version };
  const { contentHash } = await registry.call(
    'getVersion',
    { kind: 'dataset', id: dataset.id, version: dataset.version },
    identity,
  );
  return { id: dataset.id, version: dataset.version, contentHash };
}
