import 'reflect-metadata';
import { createLogger, createMetricsRegistry, runService } from '@evalvault/platform';
import { RunsModule } from './runs.module.js';
import { createRunsRuntime } from './runs.runtime.js';
import { loadConfig } from './config.js';

const config = loadConfig(process.env);
const logger = createLogger(config);
const registry = createMetricsRegistry(config.serviceName);
const runtime = await createRunsRuntime(config, logger, registry);
await runService(RunsModule.with(runtime), config, { consumers: runtime.consumers, onStopped: () => runtime.close(), logger, registry });
