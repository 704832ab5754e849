import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import {
  createLogger, createMetricsRegistry, InternalIdentityVerifier, registerInternalApi, runService, secretResolver,
} from '@evalvault/platform';
import { runsOperationHandlers } from './api/runs-internal-api.js';
import { RunsModule } from './runs.module.js';
import { createRunsRuntime } from './runs.runtime.js';
import { loadConfig } from './config.js';

const config = loadConfig(process.env);
const logger = createLogger(config);
const registry = createMetricsRegistry(config.serviceName);
const runtime = await createRunsRuntime(config, logger, registry);
const secret = config.internalSecretRef ? Buffer.from(await secretResolver()(config.internalSecretRef), 'utf8') : null;
if (!secret) logger.warn('EVALVAULT_INTERNAL_SECRET_REF is not set: the internal API (used by the gateway) is off');
await runService(RunsModule.with(runtime), config, {
  consumers: runtime.consumers,
  beforeListen: (app) => {
    if (!secret) return;
    registerInternalApi(app.getHttpAdapter().getInstance(), {
      handlers: runsOperationHandlers(runtime.commands, runtime.queries, randomUUID),
      verifier: new InternalIdentityVerifier({ secret, serviceName: 'runs' }),
    });
  },
  onStopped: () => runtime.close(),
  logger,
  registry,
});
