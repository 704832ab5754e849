import type { VersionRef } from '@evalvault/contracts';

const NAME_PREFIX = 'name:';

/**
 * What "the same dataset" means for listing and baselines: a registered dataset by its id
 * (stable across versions), an inline dataset (no version) by its name, prefixed so a
 * name can never pass for an id. Mirrors the gate identity's `{ id } | { name }` scope.
 */
export function datasetKeyOf(dataset: VersionRef): string {
  return dataset.version === null && dataset.name !== null ? `${NAME_PREFIX}${dataset.name}` : dataset.id;
}

/**
 * The keys a `dataset` filter means: a key as the API gives it (`name:rag-qa`, or a registered
 * dataset's id) and, for a plain word, the inline dataset of that name too — people filter by
 * the name they gave (`--dataset rag-qa`), not by the key the read model made of it.
 */
export function datasetKeysOf(filter: string): string[] {
  return filter.startsWith(NAME_PREFIX) ? [filter] : [filter, `${NAME_PREFIX}${filter}`];
}

/**
 * The dataset key Domain Memory learns under (LearningUpdated.datasetKey, as its contract documents
 * it): a registered dataset's id, or `inline:<name>` for an inline one. Not the read model's key
 * above: memory names inline datasets its own way, and a run using memory looks its learnings up by it.
 */
export function memoryDatasetKeyOf(dataset: VersionRef): string {
  return dataset.version === null ? `inline:${dataset.name ?? dataset.id}` : dataset.id;
}
