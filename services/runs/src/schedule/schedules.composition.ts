import type { EnvelopeSources, EventStore, OperationHandlers, Subscription } from '@evalvault/platform';
import type { ScheduleOperations } from '@evalvault/service-apis';
import type { Logger } from 'pino';
import { scheduleOperationHandlers } from '../api/schedules-internal-api.js';
import type { RunsConfig } from '../config.js';
import type { RunsQueries } from '../projection/index.js';
import type { RunCommands } from '../run/run.commands.js';
import type { RunRepository } from '../run/run.repository.js';
import { DriftWatcher } from './drift-watcher.js';
import { RegisteredDatasets } from './registered-datasets.js';
import { ScheduleCommands } from './schedule.commands.js';
import { ScheduleIndex } from './schedule-index.js';
import { ScheduleQueries } from './schedule.queries.js';
import { ScheduleRepository } from './schedule.repository.js';
import { Scheduler } from './scheduler.js';

export interface SchedulesDependencies {
  store: EventStore;
  sources: EnvelopeSources;
  logger: Logger;
  runs: RunRepository;
  runCommands: RunCommands;
  runQueries: RunsQueries;
  isMetric: (name: string) => boolean;
}

/** The schedules' parts in a runs process: the internal API always, the scheduler and watcher by role. */
export interface ComposedSchedules {
  operations: OperationHandlers<ScheduleOperations>;
  watcher: DriftWatcher;
  start(): void;
  close(): Promise<void>;
}

export function composeSchedules(config: RunsConfig, deps: SchedulesDependencies): ComposedSchedules {
  const { store, sources, logger } = deps;
  const schedules = new ScheduleRepository(store, sources);
  const queries = new ScheduleQueries(store, schedules, sources.now);
  const commands = new ScheduleCommands(schedules, queries, deps.isMetric, sources.now, sources.newId);
  const following: Subscription[] = [];
  let scheduler: Scheduler | null = null;
  return {
    operations: scheduleOperationHandlers(commands, queries, sources.newId),
    watcher: new DriftWatcher(deps.runs, schedules, deps.runQueries, logger),
    start() {
      if (!config.roles.has('scheduler')) return;
      const index = new ScheduleIndex();
      const datasets = new RegisteredDatasets();
      // A stopped subscription leaves the scheduler on what it knew: said loudly, nothing else shows it.
      const stopped = (what: string) => (error: Error) =>
        logger.error({ err: error }, `scheduler: ${what} no longer followed`);
      following.push(index.follow(store, stopped('schedules')), datasets.follow(store, stopped('dataset versions')));
      scheduler = new Scheduler(index, datasets, schedules, deps.runCommands, sources.now, sources.newId, logger);
      scheduler.start(config.schedulerIntervalMs);
    },
    async close() {
      await scheduler?.stop();
      await Promise.all(following.map((subscription) => subscription.stop()));
    },
  };
}
