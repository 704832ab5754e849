// What composes the runs service elsewhere (the embedded platform): its declaration, migrations and parts.
export { RUNS_SERVICE, type RunsParts } from './runs.service.js';
export { RUNS_MIGRATIONS, RUNS_SCHEMA } from './migrations/runs.migrations.js';
export { RunsModule } from './runs.module.js';
export { RUNS_STREAM_PREFIXES } from './run/run.repository.js';
export { loadConfig as loadRunsConfig, type RunsConfig } from './config.js';
export { RUNS_READ_MODEL_REBUILD } from './projection/runs.rebuild.js';
export { runMetrics } from './run/run-metrics.js';
export { listPlugins, type PluginListing } from './plugins/plugin-loader.js';
export { loadPluginSettings, type PluginSettings } from './plugins/plugin-settings.js';
