import { Controller, Inject, Module, type DynamicModule } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { CaseBatchScheduled, EvalVaultEvent, RunCompleted, RunRequested } from '@evalvault/contracts';
import type { RunPlanner } from './planning/run-planner.js';
import type { RunsProjection } from './projection/index.js';
import type { DriftWatcher } from './schedule/drift-watcher.js';
import type { CaseWorker } from './work/case-worker.js';
import { PLANNER, READ_MODEL, WATCHER, WORKER } from './runs.consumers.js';

export const RUNS_PARTS = Symbol('RUNS_PARTS');

/** What the runs service's event handlers call. */
export interface RunsHandlers {
  planner: RunPlanner;
  worker: CaseWorker;
  projection: RunsProjection;
  /** Scheduled runs' drift (the `watcher` role); absent where a process composes no schedules. */
  watcher?: DriftWatcher;
}

export const READ_MODEL_EVENT_TYPES = [
  'RunRequested',
  'RunStarted',
  'CaseEvaluated',
  'CaseFailed',
  'RunCompleted',
  'RunFailed',
  'RunCancelled',
  'GatePassed',
  'GateFailed',
  // Domain Memory's learned baselines, which gates of runs using memory compare with.
  'LearningUpdated',
] as const;

/** Thin edges: each handler turns an event into one call. */
@Controller()
class RunsEventsController {
  constructor(@Inject(RUNS_PARTS) private readonly parts: RunsHandlers) {}

  @EventPattern('RunRequested', PLANNER)
  plan(@Payload() event: RunRequested): Promise<void> {
    return this.parts.planner.plan(event);
  }

  @EventPattern('CaseBatchScheduled', WORKER)
  work(@Payload() event: CaseBatchScheduled): Promise<void> {
    return this.parts.worker.work(event);
  }

  @EventPattern('RunCompleted', WATCHER)
  async watch(@Payload() event: RunCompleted): Promise<void> {
    await this.parts.watcher?.onRunCompleted(event);
  }

  @EventPattern([...READ_MODEL_EVENT_TYPES], READ_MODEL)
  async project(@Payload() event: EvalVaultEvent): Promise<void> {
    await this.parts.projection.apply(event);
  }
}

/** The runs service's event handlers (its composition is runs.service.ts). */
@Module({})
export class RunsModule {
  static with(parts: RunsHandlers): DynamicModule {
    return {
      module: RunsModule,
      controllers: [RunsEventsController],
      providers: [{ provide: RUNS_PARTS, useValue: parts }],
    };
  }
}
