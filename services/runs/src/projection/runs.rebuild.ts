import type { ReadModelRebuild } from '@evalvault/platform';
import { RUNS_SCHEMA } from '../migrations/runs.migrations.js';
import { RUNS_READ_MODEL_CONSUMER, RunsProjection } from './runs.projection.js';

/**
 * The runs read model (runs, their cases, memory's learned baselines) rebuilt from its events. The LLM tables beside it
 * (spend, rate windows, cached answers) are not derived from events and are never rebuilt.
 */
export const RUNS_READ_MODEL_REBUILD: ReadModelRebuild = {
  name: 'runs read model',
  schema: RUNS_SCHEMA,
  consumer: RUNS_READ_MODEL_CONSUMER,
  tables: ['run_cases', 'runs', 'learned_baselines'],
  projection: (dataSource) => new RunsProjection(dataSource),
};
