import { randomUUID } from 'node:crypto';
import {
  CONTENT_STORE_MIGRATIONS,
  CONTENT_STORE_SCHEMA,
  defineOwnerService,
  meteredSecrets,
  openContentStore,
  secretResolver,
  type ContentStore,
} from '@evalvault/platform';
import type { CustomTransportStrategy } from '@nestjs/microservices';
import { BudgetGuard } from '@evalvault/llm';
import type { RunsOperations } from '@evalvault/service-apis';
import { runsOperationHandlers, showSubmitted } from './api/runs-internal-api.js';
import { loadConfig, type RunsConfig } from './config.js';
import { NoRegisteredDatasets, type DatasetContentSource } from './planning/dataset-content.port.js';
import { DirectoryDatasetSource } from './planning/directory-dataset-source.js';
import { RegisteredDatasetSource } from './planning/registered-dataset-source.js';
import { RunPlanner } from './planning/run-planner.js';
import { RUNS_MIGRATIONS, RUNS_SCHEMA } from './migrations/runs.migrations.js';
import { RunsProjection, RunsQueries } from './projection/index.js';
import { RunCommands } from './run/run.commands.js';
import { judgeSnapshotOf } from './run/judge-snapshot.js';
import { runMetrics } from './run/run-metrics.js';
import { runRepository, RUNS_STREAM_PREFIXES } from './run/run.repository.js';
import { PLANNER, READ_MODEL, WATCHER, WORKER } from './runs.consumers.js';
import { composeSchedules } from './schedule/schedules.composition.js';
import { RunsModule, type RunsHandlers } from './runs.module.js';
import { CaseScorer } from './work/case-scorer.js';
import { CaseWorker } from './work/case-worker.js';
import { judgeFactory, LLM_SCHEMA } from './work/judge-factory.js';
import { metricCatalog } from './plugins/metric-catalog.js';
import { loadPluginsAtStart } from './plugins/plugin-loader.js';
import { RunCompleter } from './work/run-completer.js';

/** The runs service's parts: its event handlers' and its internal API's. */
export interface RunsParts extends RunsHandlers {
  commands: RunCommands;
  queries: RunsQueries;
}

/**
 * The runs service: run streams, the planner, workers and read model as consumer groups
 * (any subset per process: RUNS_ROLES), the internal API for the gateway.
 */
export const RUNS_SERVICE = defineOwnerService<RunsConfig, RunsOperations, Record<never, never>, RunsParts>({
  name: 'runs',
  streams: RUNS_STREAM_PREFIXES,
  // Registered datasets are read from the content store.
  migrations: [
    [CONTENT_STORE_SCHEMA, CONTENT_STORE_MIGRATIONS],
    [RUNS_SCHEMA, RUNS_MIGRATIONS],
  ],
  config: loadConfig,
  relays: (config) => config.roles.has('relay'),
  async compose(config, adapters) {
    const { pool, dataSource, store, logger } = adapters;
    const sources = { now: Date.now, newId: randomUUID };
    const runs = runRepository(store, sources, runMetrics(adapters.registry));
    const queries = new RunsQueries(dataSource);
    const consumers: CustomTransportStrategy[] = [];
    if (config.roles.has('planner')) consumers.push(adapters.eventServer(`${config.groupPrefix}-planner`, PLANNER));
    if (config.roles.has('worker')) consumers.push(adapters.eventServer(`${config.groupPrefix}-workers`, WORKER));
    if (config.roles.has('projection'))
      consumers.push(adapters.eventServer(`${config.groupPrefix}-read-model`, READ_MODEL));
    if (config.roles.has('watcher')) consumers.push(adapters.eventServer(`${config.groupPrefix}-watcher`, WATCHER));
    const secrets = meteredSecrets(secretResolver(), adapters.registry);
    const judges = judgeFactory(config.judge, pool, secrets, { logger, registry: adapters.registry });
    // A plugin refused (incompatible, unapproved, colliding, failing to load) stops the start, naming why.
    const catalog = metricCatalog(await loadPluginsAtStart(config.plugins, config.workerConcurrency, process.cwd()));
    if (catalog.plugins.length > 0)
      logger.info({ plugins: catalog.plugins.map((host) => host.label), metrics: catalog.names }, 'plugins loaded');
    const content = await openContentStore(config.contentStore, { pool, secrets });
    const scorer = new CaseScorer(judges, Date.now, catalog);
    const judge = judgeSnapshotOf(config.judge); // as runs pin it: submissions record it, workers check it
    const spend = new BudgetGuard(pool, LLM_SCHEMA); // what a project spent, for its policy's caps at submission
    const parts: RunsParts = {
      planner: new RunPlanner(
        runs,
        store,
        sources,
        datasetSource(content, config.datasetDir),
        config.batchSizes,
        logger,
      ),
      worker: new CaseWorker(
        runs,
        scorer,
        new RunCompleter(runs, queries, Date.now),
        config.workerConcurrency,
        logger,
        judge,
        catalog,
      ),
      commands: new RunCommands(runs, randomUUID, judge, (owner) => spend.periodSpendOf(owner), catalog),
      projection: new RunsProjection(dataSource),
      queries,
    };
    const scheduling = composeSchedules(config, {
      store,
      sources,
      logger,
      runs,
      runCommands: parts.commands,
      runQueries: queries,
      isMetric: (name) => catalog.names.includes(name),
    });
    parts.watcher = scheduling.watcher;
    return {
      module: RunsModule.with(parts),
      consumers,
      internalApi: {
        operations: {
          ...scheduling.operations,
          ...runsOperationHandlers(parts.commands, parts.queries, randomUUID, (runId) =>
            showSubmitted(
              runs,
              parts.projection,
            )(runId).catch((error: unknown) => {
              logger.warn({ err: error, runId }, 'run submitted; its read model row follows from the bus');
            }),
          ),
        },
      },
      readiness: [],
      start: () => scheduling.start(),
      close: async () => {
        await content.close().then(() => scheduling.close());
        await catalog.close();
      },
      exports: parts,
    };
  },
});

/**
 * Registered versions from the content store by their pinned hash; a reference without one from the dataset
 * directory, if any.
 */
function datasetSource(content: ContentStore, datasetDir: string | null): DatasetContentSource {
  return new RegisteredDatasetSource(
    content,
    datasetDir ? new DirectoryDatasetSource(datasetDir) : new NoRegisteredDatasets(),
  );
}
