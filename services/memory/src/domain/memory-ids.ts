import { createHash } from 'node:crypto';
import type { MemorySource } from '@evalvault/contracts';

/**
 * The spec's norm: lowercase, whitespace collapsed, trailing punctuation trimmed. Facts, subjects
 * of deletion requests and triples' predicates are compared in this form.
 */
export function normaliseText(text: string): string {
  return text
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\s\p{P}]+$/u, '');
}

/** 32 hex of sha256 over the parts joined with NUL: memory's entry ids, unique across tenants. */
export function id32(...parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\0'), 'utf8').digest('hex').slice(0, 32);
}

/** One triple in one project is one fact: ids of the normalised subject, predicate and object. */
export function factIdOf(
  tenantId: string,
  projectId: string,
  subject: string,
  predicate: string,
  object: string,
): string {
  return id32(tenantId, projectId, normaliseText(subject), normaliseText(predicate), normaliseText(object));
}

export const behaviourIdOf = (tenantId: string, projectId: string, trigger: string): string =>
  id32(tenantId, projectId, trigger);

export const learningIdOf = (tenantId: string, projectId: string, datasetKey: string, metric: string): string =>
  id32(tenantId, projectId, datasetKey, metric);

/** A registered dataset's id, or `inline:<name>` for a dataset submitted with the run. */
export function datasetKeyOf(dataset: { id: string; name: string | null; version: number | null }): string {
  return dataset.version === null ? `inline:${dataset.name ?? dataset.id}` : dataset.id;
}

/** 32 hex of sha256(tenant \0 project): the key of a project's policy and maintenance streams. */
export const projectHashOf = (tenantId: string, projectId: string): string => id32(tenantId, projectId);

export const FACT_STREAM_PREFIX = 'memoryfact-';
export const BEHAVIOUR_STREAM_PREFIX = 'memorybehaviour-';
export const LEARNING_STREAM_PREFIX = 'memorylearning-';
export const POLICY_STREAM_PREFIX = 'memorypolicy-';
export const DELETION_STREAM_PREFIX = 'memorydeletion-';
export const MAINTENANCE_STREAM_PREFIX = 'memorymaintenance-';

export const factStreamId = (factId: string): string => `${FACT_STREAM_PREFIX}${factId}`;
export const behaviourStreamId = (behaviourId: string): string => `${BEHAVIOUR_STREAM_PREFIX}${behaviourId}`;
export const learningStreamId = (learningId: string): string => `${LEARNING_STREAM_PREFIX}${learningId}`;
export const policyStreamId = (tenantId: string, projectId: string): string =>
  `${POLICY_STREAM_PREFIX}${projectHashOf(tenantId, projectId)}`;
export const deletionStreamId = (requestId: string): string => `${DELETION_STREAM_PREFIX}${requestId}`;
export const maintenanceStreamId = (tenantId: string, projectId: string): string =>
  `${MAINTENANCE_STREAM_PREFIX}${projectHashOf(tenantId, projectId)}`;

/** sha256 hex of a normalised deletion target: what a deletion request keeps instead of the text. */
export function targetHashOf(value: string): string {
  return createHash('sha256').update(normaliseText(value), 'utf8').digest('hex');
}

/** A source as deciders compare them: `<kind>:<id>` (a case's id is unique only with its run, so it is included). */
export function sourceKey(source: MemorySource): string {
  return source.kind === 'case' && source.runId !== null
    ? `case:${source.runId}:${source.id}`
    : `${source.kind}:${source.id}`;
}

/** The sources not yet known (and no repeats among themselves), in order. */
export function newSources(known: Iterable<string>, sources: readonly MemorySource[]): MemorySource[] {
  const seen = new Set(known);
  return sources.filter((source) => {
    const key = sourceKey(source);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
