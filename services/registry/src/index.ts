// What composes the registry service (the embedded platform, tests): runtime, migrations, internal API handlers.
export { loadConfig, DEFAULT_PORT, type RegistryConfig } from './config.js';
export { assembleRegistry, createRegistryRuntime, REGISTRY_MIGRATIONS, REGISTRY_SCHEMA, type RegistryAdapters, type RegistryRuntime } from './registry.runtime.js';
export { RegistryModule } from './registry.module.js';
export { READ_MODEL as REGISTRY_READ_MODEL } from './registry.consumers.js';
export { registryOperationHandlers } from './api/registry-internal-api.js';
export { datasetUploadHandler, registerDatasetUploadApi, type DatasetUploadApiOptions } from './api/dataset-upload.route.js';
export { RegistryCommands } from './resource/registry.commands.js';
export { RegistryQueries } from './projection/registry.queries.js';
export { RegistryProjection, REGISTRY_READ_MODEL_EVENT_TYPES } from './projection/registry.projection.js';
