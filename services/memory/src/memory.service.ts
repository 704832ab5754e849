import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  CONTENT_STORE_MIGRATIONS,
  CONTENT_STORE_SCHEMA,
  defineOwnerService,
  PostgresContentStore,
  type EnvelopeSources,
  type OwnerAdapters,
} from '@evalvault/platform';
import type { MemoryOperations } from '@evalvault/service-apis';
import { memoryOperationHandlers } from './api/memory-internal-api.js';
import { registerMemoryRoutes } from './api/memory-routes.js';
import { MemoryWriteSide } from './commands/memory.commands.js';
import { loadConfig, type MemoryConfig } from './config.js';
import { ContentKeys } from './keys/content-keys.js';
import { MaintenanceScheduler } from './maintenance/maintenance-scheduler.js';
import { FORMATION, READ_MODEL } from './memory.consumers.js';
import { memoryMetrics } from './memory-metrics.js';
import { MemoryModule } from './memory.module.js';
import { MEMORY_MIGRATIONS, MEMORY_SCHEMA } from './migrations/memory.migrations.js';
import { MEMORY_STREAM_PREFIXES } from './projection/memory-rebuild.js';
import { MemoryProjection } from './projection/memory.projection.js';
import { MemoryQueries } from './projection/memory.queries.js';
import { MemoryFormation } from './runs/run-formation.js';
import { RunTracker } from './runs/run-tracker.js';

/** What memory's handlers, its internal API and in-process callers (tests, the embedded platform) use. */
export interface MemoryParts {
  projection: MemoryProjection;
  tracker: RunTracker;
  formation: MemoryFormation;
  commands: MemoryWriteSide;
  queries: MemoryQueries;
  keys: ContentKeys;
  scheduler: MaintenanceScheduler;
}

/** Memory's parts on its adapters: the same in every mode (and in tests). */
export function composeMemoryParts(
  adapters: Pick<OwnerAdapters, 'pool' | 'dataSource' | 'store'> & { logger: Logger; registry?: Registry },
  sources: EnvelopeSources = { now: Date.now, newId: randomUUID },
): MemoryParts {
  const { pool, dataSource, store, logger } = adapters;
  const keys = new ContentKeys(dataSource);
  const projection = new MemoryProjection(dataSource, keys);
  const queries = new MemoryQueries(dataSource);
  const metrics = adapters.registry ? memoryMetrics(adapters.registry) : null;
  const commands = new MemoryWriteSide(store, sources, dataSource, keys, projection, queries, metrics, logger);
  const tracker = new RunTracker(dataSource);
  const formation = new MemoryFormation(dataSource, tracker, new PostgresContentStore(pool), commands, metrics, logger);
  const scheduler = new MaintenanceScheduler(dataSource, commands, logger, sources.now);
  return { projection, tracker, formation, commands, queries, keys, scheduler };
}

/**
 * Domain Memory: facts, behaviours and learnings formed from every completed run, verified and
 * forgotten on request (crypto-shredding), searched with PostgreSQL full text, kept in shape by a
 * scheduled maintenance job; its own streams, read model and internal API.
 */
export const MEMORY_SERVICE = defineOwnerService<MemoryConfig, MemoryOperations, Record<never, never>, MemoryParts>({
  name: 'memory',
  streams: MEMORY_STREAM_PREFIXES,
  // Registered datasets' cases are read from the content store.
  migrations: [
    [CONTENT_STORE_SCHEMA, CONTENT_STORE_MIGRATIONS],
    [MEMORY_SCHEMA, MEMORY_MIGRATIONS],
  ],
  config: loadConfig,
  async compose(config, adapters) {
    const { logger } = adapters;
    const parts = composeMemoryParts(adapters);
    if (await parts.queries.vectorExtensionAvailable())
      logger.info('pgvector is available; memory searches with full text (vector search is not used)');
    const operations = memoryOperationHandlers(parts.commands, parts.queries, randomUUID);
    return {
      module: MemoryModule.with(parts),
      consumers: [
        // Its read model must see every memory event, whatever the start setting says.
        adapters.eventServer(`${config.groupPrefix}-read-model`, READ_MODEL, true),
        adapters.eventServer(`${config.groupPrefix}-formation`, FORMATION),
      ],
      internalApi: {
        operations,
        routes: (fastify, verifier, log) => registerMemoryRoutes(fastify, operations, verifier, log),
      },
      readiness: [],
      start: () => parts.scheduler.start(config.maintenanceTickMs),
      close: () => parts.scheduler.stop(),
      exports: parts,
    };
  },
});
