import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import {
  createLogger, createMetricsRegistry, InternalIdentityVerifier, registerInternalApi, runService, secretResolver,
} from '@evalvault/platform';
import { registerDatasetUploadApi } from './api/dataset-upload.route.js';
import { registryOperationHandlers } from './api/registry-internal-api.js';
import { RegistryModule } from './registry.module.js';
import { createRegistryRuntime } from './registry.runtime.js';
import { loadConfig } from './config.js';

const config = loadConfig(process.env);
const logger = createLogger(config);
const registry = createMetricsRegistry(config.serviceName);
const runtime = await createRegistryRuntime(config, logger, registry);
const secret = config.internalSecretRef ? Buffer.from(await secretResolver()(config.internalSecretRef), 'utf8') : null;
if (!secret) logger.warn('EVALVAULT_INTERNAL_SECRET_REF is not set: the internal API (used by the gateway) is off');
await runService(RegistryModule.with(runtime), config, {
  consumers: runtime.consumers,
  beforeListen: (app) => {
    if (!secret) return;
    const fastify = app.getHttpAdapter().getInstance();
    const verifier = new InternalIdentityVerifier({ secret, serviceName: 'registry' });
    registerDatasetUploadApi(fastify, { commands: runtime.commands, verifier, newId: randomUUID, logger });
    registerInternalApi(fastify, { handlers: registryOperationHandlers(runtime.commands, runtime.queries, randomUUID), verifier, logger });
  },
  onStopped: () => runtime.close(),
  logger,
  registry,
});
