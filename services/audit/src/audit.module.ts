import { Controller, Inject, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EVENT_TYPES, type EvalVaultEvent } from '@evalvault/contracts';
import { READINESS_CHECKS, type ReadinessChecks } from '@evalvault/platform';
import type { AuditRuntime } from './audit.runtime.js';
import { AUDIT_LOG } from './audit.consumers.js';

export const AUDIT_RUNTIME = Symbol('AUDIT_RUNTIME');

/** Thin edge: every event type of every topic becomes one audit entry. */
@Controller()
class AuditEventsController {
  constructor(@Inject(AUDIT_RUNTIME) private readonly runtime: AuditRuntime) {}

  @EventPattern([...EVENT_TYPES], AUDIT_LOG)
  async record(@Payload() event: EvalVaultEvent): Promise<void> {
    await this.runtime.projection.apply(event);
  }
}

/** Hash-chained audit log, compliance replay and export. */
@Module({})
export class AuditModule implements OnModuleInit {
  constructor(
    @Inject(AUDIT_RUNTIME) private readonly runtime: AuditRuntime,
    @Inject(READINESS_CHECKS) private readonly readiness: ReadinessChecks,
  ) {}

  onModuleInit(): void {
    this.runtime.readiness.forEach((check) => this.readiness.register(check));
  }

  static with(runtime: AuditRuntime): DynamicModule {
    return { module: AuditModule, controllers: [AuditEventsController], providers: [{ provide: AUDIT_RUNTIME, useValue: runtime }] };
  }
}
