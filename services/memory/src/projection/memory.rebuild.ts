import type { ReadModelRebuild } from '@evalvault/platform';
import { MEMORY_SCHEMA } from '../migrations/memory.migrations.js';
import { MEMORY_READ_MODEL_CONSUMER, MEMORY_READ_MODEL_TABLES, MemoryProjection } from './memory.projection.js';

/**
 * Facts, behaviours, learnings, policies, deletion requests and maintenance rebuilt from memory
 * events. Content keys are not derived and stay (a forgotten entry's key is gone, so it does not
 * come back); formation's own state (runs being formed, formed runs, insights) is not a
 * projection and is kept as restored.
 */
export const MEMORY_READ_MODEL_REBUILD: ReadModelRebuild = {
  name: 'memory read model',
  schema: MEMORY_SCHEMA,
  consumer: MEMORY_READ_MODEL_CONSUMER,
  tables: MEMORY_READ_MODEL_TABLES,
  projection: (dataSource) => new MemoryProjection(dataSource),
};
