// What composes the gateway elsewhere (the embedded platform): its declaration, migrations and configuration.
export {
  createGatewayRuntime,
  type GatewayClients,
  type GatewayParts,
  type GatewayRuntime,
} from './gateway.runtime.js';
export { GATEWAY_SERVICE, type GatewayPeers } from './gateway.service.js';
export { loadConfig as loadGatewayConfig } from './config.js';
export { GATEWAY_MIGRATIONS, GATEWAY_SCHEMA } from './migrations/gateway.migrations.js';
export { GATEWAY_STREAM_PREFIXES } from './members/members.decider.js';
export { DEFAULT_TENANT, DEFAULT_PROJECT } from './auth/bootstrap-key.js';
export { loadHttpEdgesConfig } from './http/index.js';
export { inProcessRegistryClient } from './registry/index.js';
export { datasetUploadLimit } from './config.js';
export { renderOpenApiDocument } from './docs/openapi-document.js';
