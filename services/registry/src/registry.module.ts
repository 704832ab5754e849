import { Controller, Inject, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { READINESS_CHECKS, type ReadinessChecks } from '@evalvault/platform';
import type { EvalVaultEvent } from '@evalvault/contracts';
import { REGISTRY_READ_MODEL_EVENT_TYPES } from './projection/registry.projection.js';
import type { RegistryRuntime } from './registry.runtime.js';
import { READ_MODEL } from './registry.consumers.js';

export const REGISTRY_RUNTIME = Symbol('REGISTRY_RUNTIME');

/** Thin edge: each event is one call. */
@Controller()
class RegistryEventsController {
  constructor(@Inject(REGISTRY_RUNTIME) private readonly runtime: RegistryRuntime) {}

  @EventPattern([...REGISTRY_READ_MODEL_EVENT_TYPES], READ_MODEL)
  async project(@Payload() event: EvalVaultEvent): Promise<void> {
    await this.runtime.projection.apply(event);
  }
}

/** Datasets, prompts and model profiles, versioned and hashed. */
@Module({})
export class RegistryModule implements OnModuleInit {
  constructor(
    @Inject(REGISTRY_RUNTIME) private readonly runtime: RegistryRuntime,
    @Inject(READINESS_CHECKS) private readonly readiness: ReadinessChecks,
  ) {}

  onModuleInit(): void {
    this.runtime.readiness.forEach((check) => this.readiness.register(check));
  }

  static with(runtime: RegistryRuntime): DynamicModule {
    return { module: RegistryModule, controllers: [RegistryEventsController], providers: [{ provide: REGISTRY_RUNTIME, useValue: runtime }] };
  }
}
