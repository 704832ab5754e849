import { Controller, Inject, Module, type DynamicModule } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { EvalVaultEvent } from '@evalvault/contracts';
import { REGISTRY_READ_MODEL_EVENT_TYPES } from './projection/registry.projection.js';
import type { RegistryProjection } from './projection/registry.projection.js';
import { READ_MODEL } from './registry.consumers.js';

export const REGISTRY_PARTS = Symbol('REGISTRY_PARTS');

/** What the registry's event handler calls. */
export interface RegistryHandlers {
  projection: RegistryProjection;
}

/** Thin edge: each event is one call. */
@Controller()
class RegistryEventsController {
  constructor(@Inject(REGISTRY_PARTS) private readonly parts: RegistryHandlers) {}

  @EventPattern([...REGISTRY_READ_MODEL_EVENT_TYPES], READ_MODEL)
  async project(@Payload() event: EvalVaultEvent): Promise<void> {
    await this.parts.projection.apply(event);
  }
}

/** The registry's event handlers (its composition is registry.service.ts). */
@Module({})
export class RegistryModule {
  static with(parts: RegistryHandlers): DynamicModule {
    return {
      module: RegistryModule,
      controllers: [RegistryEventsController],
      providers: [{ provide: REGISTRY_PARTS, useValue: parts }],
    };
  }
}
