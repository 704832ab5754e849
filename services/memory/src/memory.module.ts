import { Controller, Inject, Module, type DynamicModule } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { EvalVaultEvent, RunCompleted } from '@evalvault/contracts';
import { FORMATION, READ_MODEL } from './memory.consumers.js';
import { MEMORY_READ_MODEL_EVENT_TYPES, type MemoryProjection } from './projection/memory.projection.js';
import { MEMORY_RUN_EVENT_TYPES, type RunTracker } from './runs/run-tracker.js';

export const MEMORY_PARTS = Symbol('MEMORY_PARTS');

/** What memory's event handlers call. */
export interface MemoryHandlers {
  projection: MemoryProjection;
  tracker: RunTracker;
  formation: { formRun(event: RunCompleted): Promise<unknown> };
}

/** Thin edge: its own events feed the read model. */
@Controller()
class MemoryReadModelController {
  constructor(@Inject(MEMORY_PARTS) private readonly parts: MemoryHandlers) {}

  @EventPattern([...MEMORY_READ_MODEL_EVENT_TYPES], READ_MODEL)
  async project(@Payload() event: EvalVaultEvent): Promise<void> {
    await this.parts.projection.apply(event);
  }
}

/** Thin edge: a run's events are kept until it completes; its completion forms memory. */
@Controller()
class MemoryFormationController {
  constructor(@Inject(MEMORY_PARTS) private readonly parts: MemoryHandlers) {}

  @EventPattern([...MEMORY_RUN_EVENT_TYPES], FORMATION)
  async track(@Payload() event: EvalVaultEvent): Promise<void> {
    await this.parts.tracker.apply(event);
  }

  @EventPattern('RunCompleted', FORMATION)
  async form(@Payload() event: RunCompleted): Promise<void> {
    await this.parts.formation.formRun(event);
  }
}

/** Domain Memory's event handlers (its composition is memory.service.ts). */
@Module({})
export class MemoryModule {
  static with(parts: MemoryHandlers): DynamicModule {
    return {
      module: MemoryModule,
      controllers: [MemoryReadModelController, MemoryFormationController],
      providers: [{ provide: MEMORY_PARTS, useValue: parts }],
    };
  }
}
