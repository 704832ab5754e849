// What composes the memory service elsewhere (the embedded platform, tests): its declaration, migrations and parts.
export { loadConfig, DEFAULT_PORT, type MemoryConfig } from './config.js';
export { MEMORY_SERVICE, composeMemoryParts, type MemoryParts } from './memory.service.js';
export { MEMORY_MIGRATIONS, MEMORY_SCHEMA } from './migrations/memory.migrations.js';
export { MemoryModule } from './memory.module.js';
export { READ_MODEL as MEMORY_READ_MODEL, FORMATION as MEMORY_FORMATION } from './memory.consumers.js';
export { memoryOperationHandlers } from './api/memory-internal-api.js';
export { registerMemoryRoutes, MEMORY_ROUTES_PREFIX } from './api/memory-routes.js';
export { MemoryProjection, MEMORY_READ_MODEL_EVENT_TYPES } from './projection/memory.projection.js';
export { MEMORY_STREAM_PREFIXES, rebuildReadModel } from './projection/memory-rebuild.js';
export { MEMORY_READ_MODEL_REBUILD } from './projection/memory.rebuild.js';
export { memoryMetrics } from './memory-metrics.js';
