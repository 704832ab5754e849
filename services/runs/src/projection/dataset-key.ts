import type { VersionRef } from '@evalvault/contracts';

/**
 * What "the same dataset" means for listing and baselines: a registered dataset by its id
 * (stable across versions), an inline dataset (no version) by its name, prefixed so a
 * name can never pass for an id. Mirrors the gate identity's `{ id } | { name }` scope.
 */
export function datasetKeyOf(dataset: VersionRef): string {
  return dataset.version === null && dataset.name !== null ? `name:${dataset.name}` : dataset.id;
}
