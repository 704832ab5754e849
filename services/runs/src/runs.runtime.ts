import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { llmMigrations } from '@evalvault/llm';
import {
  CONTENT_STORE_MIGRATIONS, CONTENT_STORE_SCHEMA, EVENT_STORE_MIGRATIONS, openDistributedAdapters, PostgresContentStore, secretResolver,
  type EventRelay, type EventStore, type ReadinessCheck,
} from '@evalvault/platform';
import type { CustomTransportStrategy } from '@nestjs/microservices';
import type { Registry } from 'prom-client';
import type { RunsConfig } from './config.js';
import { RunCommands } from './run/run.commands.js';
import { runRepository, RUNS_STREAM_PREFIXES } from './run/run.repository.js';
import { NoRegisteredDatasets, type DatasetContentSource } from './planning/dataset-content.port.js';
import { DirectoryDatasetSource } from './planning/directory-dataset-source.js';
import { RegisteredDatasetSource } from './planning/registered-dataset-source.js';
import { RunPlanner } from './planning/run-planner.js';
import { CaseScorer } from './work/case-scorer.js';
import { CaseWorker } from './work/case-worker.js';
import { judgeFactory } from './work/judge-factory.js';
import { RunCompleter } from './work/run-completer.js';
import { RunsProjection, RunsQueries, RUNS_READ_MODEL_MIGRATIONS } from './projection/index.js';
import { PLANNER, READ_MODEL, WORKER } from './runs.consumers.js';

export const RUNS_SCHEMA = 'runs';

/** Every migration of the runs schema, in order: read model (with its inbox) and the LLM tables. */
export const RUNS_MIGRATIONS = [...RUNS_READ_MODEL_MIGRATIONS, ...llmMigrations(RUNS_SCHEMA)];

export interface RunsRuntime {
  planner: RunPlanner;
  worker: CaseWorker;
  commands: RunCommands;
  projection: RunsProjection;
  queries: RunsQueries;
  consumers: CustomTransportStrategy[];
  relay: EventRelay | null;
  /** What /readyz checks: the database and the broker. */
  readiness: ReadinessCheck[];
  close(): Promise<void>;
}

/** What the runs service is built on; the two modes differ only here. */
export interface RunsAdapters {
  /** The runs schema (LLM rate limits, response cache) and the event store's database. */
  pool: pg.Pool;
  /** The read model, on the same database. */
  dataSource: DataSource;
  store: EventStore;
  /** A consumer for one group: Kafka in distributed mode, the event store itself embedded. */
  eventServer(groupId: string, transportId: symbol): CustomTransportStrategy;
  /** Publishes the runs streams to the bus (distributed); null when consumers follow the store. */
  relay: EventRelay | null;
  readiness: ReadinessCheck[];
  close(): Promise<void>;
}

export type RunsSettings = Pick<RunsConfig, 'roles' | 'groupPrefix' | 'judge' | 'datasetDir' | 'batchSize' | 'workerConcurrency'>;

/**
 * The runs service on PostgreSQL and Kafka (distributed mode). Migrations are run
 * explicitly (npm run migrate); a service finding them pending refuses to start.
 */
export async function createRunsRuntime(config: RunsConfig, logger: Logger, registry: Registry): Promise<RunsRuntime> {
  const adapters = await openDistributedAdapters({
    databaseUrl: config.databaseUrl, kafka: config.kafka, logger, registry,
    schemas: [['eventstore', EVENT_STORE_MIGRATIONS], [CONTENT_STORE_SCHEMA, CONTENT_STORE_MIGRATIONS], [RUNS_SCHEMA, RUNS_MIGRATIONS]],
  });
  const fromBeginning = config.consumerStart === 'earliest';
  return assembleRuns(config, {
    ...adapters,
    eventServer: (groupId, transportId) => adapters.eventServer(groupId, transportId, fromBeginning),
    relay: config.roles.has('relay') ? adapters.relay({ name: config.relayName, streamPrefixes: RUNS_STREAM_PREFIXES, start: config.relayStart }) : null,
  }, logger);
}

/** The runs service's parts from already-built adapters: the same code in both modes. */
export async function assembleRuns(config: RunsSettings, adapters: RunsAdapters, logger: Logger): Promise<RunsRuntime> {
  const { pool, dataSource, store } = adapters;
  const sources = { now: Date.now, newId: randomUUID };
  const runs = runRepository(store, sources);
  const queries = new RunsQueries(dataSource);
  const consumers: CustomTransportStrategy[] = [];
  if (config.roles.has('planner')) consumers.push(adapters.eventServer(`${config.groupPrefix}-planner`, PLANNER));
  if (config.roles.has('worker')) consumers.push(adapters.eventServer(`${config.groupPrefix}-workers`, WORKER));
  if (config.roles.has('projection')) consumers.push(adapters.eventServer(`${config.groupPrefix}-read-model`, READ_MODEL));
  await adapters.relay?.start();

  const scorer = new CaseScorer(judgeFactory(config.judge, pool, secretResolver()), Date.now);
  return {
    planner: new RunPlanner(runs, store, sources, datasetSource(pool, config.datasetDir), config.batchSize, logger),
    worker: new CaseWorker(runs, scorer, new RunCompleter(runs, store, queries, Date.now), config.workerConcurrency, logger),
    commands: new RunCommands(runs, randomUUID),
    projection: new RunsProjection(dataSource),
    queries,
    consumers,
    relay: adapters.relay,
    readiness: adapters.readiness,
    close: () => adapters.close(),
  };
}

/** Registered versions from the content store by their pinned hash; a reference without one from the dataset directory, if any. */
function datasetSource(pool: pg.Pool, datasetDir: string | null): DatasetContentSource {
  return new RegisteredDatasetSource(new PostgresContentStore(pool), datasetDir ? new DirectoryDatasetSource(datasetDir) : new NoRegisteredDatasets());
}
