import type { ReadModelRebuild } from '@evalvault/platform';
import { REGISTRY_SCHEMA } from '../migrations/registry.migrations.js';
import { REGISTRY_READ_MODEL_CONSUMER, RegistryProjection } from './registry.projection.js';

/** Resources, versions and lineage rebuilt from registry and run events (content stays in the content store). */
export const REGISTRY_READ_MODEL_REBUILD: ReadModelRebuild = {
  name: 'registry read model',
  schema: REGISTRY_SCHEMA,
  consumer: REGISTRY_READ_MODEL_CONSUMER,
  tables: ['lineage', 'versions', 'resources'],
  projection: (dataSource) => new RegistryProjection(dataSource),
};
