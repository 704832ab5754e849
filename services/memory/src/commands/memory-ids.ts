import { createHash } from 'node:crypto';
import { normaliseText } from '../projection/normalise.js';

/** 32 hex of sha256 over the parts joined with NUL: memory's entry ids, unique across tenants. */
export function id32(...parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\0'), 'utf8').digest('hex').slice(0, 32);
}

export const normalise = normaliseText;

export function factIdOf(tenantId: string, projectId: string, subject: string, predicate: string, object: string) {
  return id32(tenantId, projectId, normalise(subject), normalise(predicate), normalise(object));
}
export const behaviourIdOf = (tenantId: string, projectId: string, trigger: string): string =>
  id32(tenantId, projectId, trigger);
export const learningIdOf = (tenantId: string, projectId: string, datasetKey: string, metric: string): string =>
  id32(tenantId, projectId, datasetKey, metric);
const projectHash = (tenantId: string, projectId: string): string => id32(tenantId, projectId);

export const factStreamId = (factId: string): string => `memoryfact-${factId}`;
export const behaviourStreamId = (behaviourId: string): string => `memorybehaviour-${behaviourId}`;
export const learningStreamId = (learningId: string): string => `memorylearning-${learningId}`;
export const policyStreamId = (tenantId: string, projectId: string): string =>
  `memorypolicy-${projectHash(tenantId, projectId)}`;
export const deletionStreamId = (requestId: string): string => `memorydeletion-${requestId}`;
export const maintenanceStreamId = (tenantId: string, projectId: string): string =>
  `memorymaintenance-${projectHash(tenantId, projectId)}`;

/** sha256 hex of a normalised deletion target: what a deletion request keeps instead of the text. */
export function targetHashOf(value: string): string {
  return createHash('sha256').update(normalise(value), 'utf8').digest('hex');
}
