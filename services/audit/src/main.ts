import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import {
  createLogger, createMetricsRegistry, InternalIdentityVerifier, registerInternalApi, runService, secretResolver,
} from '@evalvault/platform';
import type { AuditOperations, AuditStreams } from '@evalvault/service-apis';
import { auditOperationHandlers, auditStreamHandlers } from './api/audit-internal-api.js';
import { AuditModule } from './audit.module.js';
import { createAuditRuntime } from './audit.runtime.js';
import { loadConfig } from './config.js';

const config = loadConfig(process.env);
const logger = createLogger(config);
const registry = createMetricsRegistry(config.serviceName);
const runtime = await createAuditRuntime(config, logger, registry);
const secret = config.internalSecretRef ? Buffer.from(await secretResolver()(config.internalSecretRef), 'utf8') : null;
if (!secret) logger.warn('EVALVAULT_INTERNAL_SECRET_REF is not set: the internal API (used by the gateway) is off');
await runService(AuditModule.with(runtime), config, {
  consumers: runtime.consumers,
  beforeListen: (app) => {
    if (!secret) return;
    registerInternalApi<AuditOperations, AuditStreams>(app.getHttpAdapter().getInstance(), {
      handlers: auditOperationHandlers({ ...runtime, newId: randomUUID }),
      streams: auditStreamHandlers(runtime.queries),
      verifier: new InternalIdentityVerifier({ secret, serviceName: 'audit' }),
    });
  },
  onStopped: () => runtime.close(),
  logger,
  registry,
});
