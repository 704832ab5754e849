import 'reflect-metadata';
import {
  createLogger, createMetricsRegistry, InternalIdentityVerifier, registerInternalApi, runService, secretResolver,
} from '@evalvault/platform';
import { NotifierModule } from './notifier.module.js';
import { createNotifierRuntime } from './notifier.runtime.js';
import { loadConfig } from './config.js';

const config = loadConfig(process.env);
const logger = createLogger(config);
const registry = createMetricsRegistry(config.serviceName);
const runtime = await createNotifierRuntime(config, logger, registry);
const secret = config.internalSecretRef ? Buffer.from(await secretResolver()(config.internalSecretRef), 'utf8') : null;
if (!secret) logger.warn('EVALVAULT_INTERNAL_SECRET_REF is not set: the internal API (used by the gateway) is off');
if (config.egressAllow.length === 0) logger.warn('EVALVAULT_EGRESS_ALLOW is empty: every destination will be refused');
await runService(NotifierModule.with(runtime.notifier, runtime.readiness), config, {
  consumers: runtime.notifier.consumers,
  beforeListen: (app) => {
    if (!secret) return;
    registerInternalApi(app.getHttpAdapter().getInstance(), {
      handlers: runtime.notifier.operations,
      verifier: new InternalIdentityVerifier({ secret, serviceName: 'notifier' }),
    });
  },
  onStopped: () => runtime.close(),
  logger,
  registry,
});
