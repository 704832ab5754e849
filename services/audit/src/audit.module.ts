import { Controller, Inject, Module, type DynamicModule } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EVENT_TYPES, type EvalVaultEvent } from '@evalvault/contracts';
import type { AuditProjection } from './log/audit.projection.js';
import { AUDIT_LOG } from './audit.consumers.js';

export const AUDIT_PARTS = Symbol('AUDIT_PARTS');

/** What the audit log's event handler calls. */
export interface AuditHandlers {
  projection: AuditProjection;
}

/** Thin edge: every event type of every topic becomes one audit entry. */
@Controller()
class AuditEventsController {
  constructor(@Inject(AUDIT_PARTS) private readonly parts: AuditHandlers) {}

  @EventPattern([...EVENT_TYPES], AUDIT_LOG)
  async record(@Payload() event: EvalVaultEvent): Promise<void> {
    await this.parts.projection.apply(event);
  }
}

/** The audit log's event handler (its composition is audit.service.ts). */
@Module({})
export class AuditModule {
  static with(parts: AuditHandlers): DynamicModule {
    return {
      module: AuditModule,
      controllers: [AuditEventsController],
      providers: [{ provide: AUDIT_PARTS, useValue: parts }],
    };
  }
}
