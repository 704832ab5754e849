export { installSchemaRegistry, SCHEMA_REGISTRY_PREFIX } from './schema-registry.routes.js';
