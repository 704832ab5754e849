import { Controller, Inject, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { READINESS_CHECKS, type ReadinessChecks } from '@evalvault/platform';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { CaseBatchScheduled, EvalVaultEvent, RunRequested } from '@evalvault/contracts';
import type { RunsRuntime } from './runs.runtime.js';
import { PLANNER, READ_MODEL, WORKER } from './runs.consumers.js';

export const RUNS_RUNTIME = Symbol('RUNS_RUNTIME');

export const READ_MODEL_EVENT_TYPES = [
  'RunRequested', 'RunStarted', 'CaseEvaluated', 'CaseFailed', 'RunCompleted', 'RunFailed', 'RunCancelled', 'GatePassed', 'GateFailed',
] as const;

/** Thin edges: each handler turns an event into one call. */
@Controller()
class RunsEventsController {
  constructor(@Inject(RUNS_RUNTIME) private readonly runtime: RunsRuntime) {}

  @EventPattern('RunRequested', PLANNER)
  plan(@Payload() event: RunRequested): Promise<void> {
    return this.runtime.planner.plan(event);
  }

  @EventPattern('CaseBatchScheduled', WORKER)
  work(@Payload() event: CaseBatchScheduled): Promise<void> {
    return this.runtime.worker.work(event);
  }

  @EventPattern([...READ_MODEL_EVENT_TYPES], READ_MODEL)
  async project(@Payload() event: EvalVaultEvent): Promise<void> {
    await this.runtime.projection.apply(event);
  }
}

@Module({})
export class RunsModule implements OnModuleInit {
  constructor(
    @Inject(RUNS_RUNTIME) private readonly runtime: RunsRuntime,
    @Inject(READINESS_CHECKS) private readonly readiness: ReadinessChecks,
  ) {}

  onModuleInit(): void {
    this.runtime.readiness.forEach((check) => this.readiness.register(check));
  }

  static with(runtime: RunsRuntime): DynamicModule {
    return { module: RunsModule, controllers: [RunsEventsController], providers: [{ provide: RUNS_RUNTIME, useValue: runtime }] };
  }
}
