import { defineOwnerService } from '@evalvault/platform';
import { loadConfig, type MemoryConfig } from './config.js';
import { MemoryModule } from './memory.module.js';
import { MEMORY_MIGRATIONS, MEMORY_SCHEMA } from './migrations/memory.migrations.js';

/**
 * Domain Memory, declared like every owner service. It has no capability yet: no streams, no
 * schema, no consumers; it boots on the same adapters and answers its operations endpoints.
 */
export const MEMORY_SERVICE = defineOwnerService<MemoryConfig>({
  name: 'memory',
  streams: [],
  // The schema is declared with its first migration (none yet: nothing to run).
  migrations: MEMORY_MIGRATIONS.length > 0 ? [[MEMORY_SCHEMA, MEMORY_MIGRATIONS]] : [],
  config: loadConfig,
  async compose() {
    return {
      module: MemoryModule,
      consumers: [],
      internalApi: null,
      readiness: [],
      close: async () => undefined,
      exports: undefined,
    };
  },
});
