// What composes the registry service (the embedded platform, tests): its declaration, migrations and parts.
export { loadConfig, DEFAULT_PORT, type RegistryConfig } from './config.js';
export { REGISTRY_SERVICE, REGISTRY_MIGRATIONS, REGISTRY_SCHEMA, type RegistryParts } from './registry.service.js';
export { RegistryModule } from './registry.module.js';
export { READ_MODEL as REGISTRY_READ_MODEL } from './registry.consumers.js';
export { registryOperationHandlers } from './api/registry-internal-api.js';
export {
  datasetUploadHandler,
  registerDatasetUploadApi,
  type DatasetUploadApiOptions,
} from './api/dataset-upload.route.js';
export { RegistryCommands } from './resource/registry.commands.js';
export { RegistryQueries } from './projection/registry.queries.js';
export { RegistryProjection, REGISTRY_READ_MODEL_EVENT_TYPES } from './projection/registry.projection.js';
export { ProjectPolicies } from './policy/project-policies.js';
export { projectPolicyRepository } from './policy/project-policy.repository.js';
export { projectPolicyStreamId, PROJECT_POLICY_STREAM_PREFIX } from './policy/project-policy.decider.js';
export { REGISTRY_READ_MODEL_REBUILD } from './projection/registry.rebuild.js';
