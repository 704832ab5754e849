import { sha256Hex } from '../hashing/canonical-json.js';

/** What the registry versions; the strings RegistryVersionApproved.kind documents. */
export const RESOURCE_KINDS = ['dataset', 'prompt', 'model_profile'] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

const STREAM_PREFIX: Record<ResourceKind, string> = {
  dataset: 'dataset-',
  prompt: 'prompt-',
  model_profile: 'modelprofile-',
};

/** Streams the registry owns, and so relays. */
export const REGISTRY_STREAM_PREFIXES = Object.values(STREAM_PREFIX);

export const streamIdOf = (kind: ResourceKind, resourceId: string): string => `${STREAM_PREFIX[kind]}${resourceId}`;

export function isResourceKind(value: unknown): value is ResourceKind {
  return typeof value === 'string' && (RESOURCE_KINDS as readonly string[]).includes(value);
}

/**
 * A resource's id, derived from (tenant, project, kind, name) and shaped as a UUID: registering
 * under a name needs no lookup and no lock, since every registration of that name lands on
 * the same stream and the store's optimistic concurrency orders them.
 */
export function resourceIdFor(tenantId: string, projectId: string, kind: ResourceKind, name: string): string {
  const hex = sha256Hex(`registry-resource\u0000${tenantId}\u0000${projectId}\u0000${kind}\u0000${name}`);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
