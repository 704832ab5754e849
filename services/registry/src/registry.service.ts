import { randomUUID } from 'node:crypto';
import {
  CONTENT_STORE_MIGRATIONS,
  CONTENT_STORE_SCHEMA,
  defineOwnerService,
  openContentStore,
  secretResolver,
} from '@evalvault/platform';
import type { RegistryOperations } from '@evalvault/service-apis';
import { registerDatasetUploadApi } from './api/dataset-upload.route.js';
import { registryOperationHandlers } from './api/registry-internal-api.js';
import { loadConfig, type RegistryConfig } from './config.js';
import { RegistryProjection } from './projection/registry.projection.js';
import { RegistryQueries } from './projection/registry.queries.js';
import { REGISTRY_READ_MODEL_MIGRATIONS, REGISTRY_SCHEMA } from './migrations/registry.migrations.js';
import { READ_MODEL } from './registry.consumers.js';
import { RegistryModule } from './registry.module.js';
import { RegistryCommands } from './resource/registry.commands.js';
import { REGISTRY_STREAM_PREFIXES } from './resource/resource-kind.js';
import { PROJECT_POLICY_STREAM_PREFIX } from './policy/project-policy.decider.js';
import { ProjectPolicies } from './policy/project-policies.js';
import { projectPolicyRepository } from './policy/project-policy.repository.js';
import { resourceRepository } from './resource/resource.repository.js';

export { REGISTRY_SCHEMA };
/** Every migration of the registry schema, in order. */
export const REGISTRY_MIGRATIONS = REGISTRY_READ_MODEL_MIGRATIONS;

/** Abandoned uploads (a writer that died mid-stream) are swept at start once they are this old. */
const ABANDONED_UPLOAD_MS = 24 * 60 * 60 * 1000;

/** What the registry's event handlers and in-process callers use. */
export interface RegistryParts {
  commands: RegistryCommands;
  queries: RegistryQueries;
  projection: RegistryProjection;
}

/**
 * The registry: versioned, content-hashed datasets, prompts and model profiles, approvals and lineage;
 * and project policies (what a project's runs may use and spend), which runs are pinned with.
 */
export const REGISTRY_SERVICE = defineOwnerService<
  RegistryConfig,
  RegistryOperations,
  Record<never, never>,
  RegistryParts
>({
  name: 'registry',
  streams: [...REGISTRY_STREAM_PREFIXES, PROJECT_POLICY_STREAM_PREFIX],
  // Dataset content lives in the content store.
  migrations: [
    [CONTENT_STORE_SCHEMA, CONTENT_STORE_MIGRATIONS],
    [REGISTRY_SCHEMA, REGISTRY_MIGRATIONS],
  ],
  config: loadConfig,
  async compose(config, adapters) {
    const { pool, dataSource, store, logger } = adapters;
    const content = await openContentStore(config.contentStore, { pool, secrets: secretResolver() });
    const swept = await content.sweepAbandonedUploads(ABANDONED_UPLOAD_MS);
    if (swept > 0) logger.info({ swept }, 'abandoned dataset uploads removed');
    const projection = new RegistryProjection(dataSource);
    const limits = { maxBytes: config.datasetMaxBytes, maxLineBytes: config.datasetMaxLineBytes };
    const sources = { now: Date.now, newId: randomUUID };
    const policies = new ProjectPolicies(projectPolicyRepository(store, sources), config.approval);
    const commands = new RegistryCommands(resourceRepository(store, sources), content, projection, limits, logger);
    const parts: RegistryParts = { commands, queries: new RegistryQueries(dataSource, content), projection };
    return {
      module: RegistryModule.with(parts),
      consumers: [adapters.eventServer(`${config.groupPrefix}-read-model`, READ_MODEL)],
      internalApi: {
        operations: registryOperationHandlers(commands, parts.queries, randomUUID, policies),
        routes: (fastify, verifier, log) =>
          registerDatasetUploadApi(fastify, { commands, verifier, newId: randomUUID, logger: log }),
      },
      readiness: [],
      close: () => content.close(),
      exports: parts,
    };
  },
});
