// Public API of the runs read model: migrations, projection, queries and their views.
export { datasetKeyOf, memoryDatasetKeyOf } from './dataset-key.js';
export {
  RUNS_READ_MODEL_MIGRATIONS,
  RUNS_SCHEMA,
  CreateRunsReadModel1764300000000,
  CreateRunCasesReadModel1764300100000,
} from '../migrations/runs.migrations.js';
export { RunsProjection, RUNS_READ_MODEL_CONSUMER } from './runs.projection.js';
export { RunsQueries, type Baseline, type GetCasesOptions, type ListRunsOptions } from './runs.queries.js';
export { RunsQueryError, type RunsQueryErrorCode } from './runs-query.error.js';
export {
  RUN_VIEW_STATUSES,
  type CaseView,
  type CaseViewStatus,
  type Page,
  type RunCounts,
  type RunSummary,
  type RunView,
  type RunViewStatus,
} from './runs.views.js';
