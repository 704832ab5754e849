// What composes the runs service elsewhere (the embedded platform): its parts from adapters, migrations, internal API.
export { assembleRuns, RUNS_MIGRATIONS, RUNS_SCHEMA, type RunsAdapters, type RunsRuntime, type RunsSettings } from './runs.runtime.js';
export { RunsModule } from './runs.module.js';
export { runsOperationHandlers } from './api/runs-internal-api.js';
export { RUNS_STREAM_PREFIXES } from './run/run.repository.js';
export { loadConfig as loadRunsConfig, type RunsConfig } from './config.js';
