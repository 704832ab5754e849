import { ownerServiceSchemas, type SchemaMigrations } from '@evalvault/platform';
import { AUDIT_SERVICE } from '@evalvault/service-audit';
import { GATEWAY_SERVICE } from '@evalvault/service-gateway';
import { MEMORY_SERVICE } from '@evalvault/service-memory';
import { NOTIFIER_SERVICE } from '@evalvault/service-notifier';
import { REGISTRY_SERVICE } from '@evalvault/service-registry';
import { RUNS_SERVICE } from '@evalvault/service-runs';

/** Every service with its schemas, in the order of `npm run migrate`. */
export const SERVICES = [
  RUNS_SERVICE,
  GATEWAY_SERVICE,
  REGISTRY_SERVICE,
  NOTIFIER_SERVICE,
  AUDIT_SERVICE,
  MEMORY_SERVICE,
];

/**
 * Each schema once, with every migration any service lists for it (the content store is listed by
 * three services with one list), in the order they are applied.
 */
export function distinctSchemas(schemas: readonly SchemaMigrations[]): [string, SchemaMigrations[1][number][]][] {
  const bySchema = new Map<string, Set<SchemaMigrations[1][number]>>();
  for (const [schema, migrations] of schemas) {
    const known = bySchema.get(schema) ?? new Set();
    migrations.forEach((migration) => known.add(migration));
    bySchema.set(schema, known);
  }
  return [...bySchema].map(([schema, migrations]) => [schema, [...migrations]]);
}

/** All schemas of all services, each once. */
export const ALL_SCHEMAS = distinctSchemas(ownerServiceSchemas(SERVICES));
