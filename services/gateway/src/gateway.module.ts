import { Module, type DynamicModule } from '@nestjs/common';
import type { ServiceClient } from '@evalvault/platform';
import type { NotificationsOperations, RunsOperations } from '@evalvault/service-apis';
import { AccessGuard } from './access/access.guard.js';
import { MeController } from './access/me.controller.js';
import { SCHEDULES_CLIENT, SchedulesController } from './schedules/schedules.controller.js';
import { RunsController } from './runs/runs.controller.js';
import { IDEMPOTENCY, RunRoutes, RUNS_CLIENT } from './runs/runs.routes.js';
import type { Idempotency } from './http/idempotency/answer-idempotently.js';
import { API_KEYS, ApiKeysController } from './access/api-keys.controller.js';
import type { ApiKeysService } from './access/api-keys.service.js';
import { MEMBERS, MembersController } from './members/members.controller.js';
import type { MembersService } from './members/members.service.js';
import { TenantRolesController } from './members/tenant-roles.controller.js';
import { NOTIFICATIONS_CLIENT, NotificationsController } from './notifications/notifications.controller.js';
import { AUDIT_CLIENT, AuditController, type AuditClient } from './audit/audit.controller.js';
import { REGISTRY_CLIENT, REGISTRY_CONTROLLERS, type RegistryClient } from './registry/index.js';
import { MEMORY_CLIENT, MEMORY_CONTROLLERS, type MemoryClient } from './memory/index.js';
import { CREDENTIAL_WATCH, type CredentialWatch } from './auth/credential-watch.js';

/** The public REST API: routes authenticate, pass the access guard, and call the owning service. */
@Module({})
export class GatewayModule {
  static with(parts: {
    runs: ServiceClient<RunsOperations>;
    apiKeys: ApiKeysService | null;
    members: MembersService | null;
    notifications?: ServiceClient<NotificationsOperations> | null;
    audit?: AuditClient | null;
    registry?: RegistryClient | null;
    memory?: MemoryClient | null;
    /** Ends long responses whose credential lapses; without it (routes tested alone) they are not re-checked. */
    credentials?: CredentialWatch | null;
    /** Idempotency-Key on the runs routes served by Fastify (the interceptor covers the controllers'). */
    idempotency?: Idempotency | null;
  }): DynamicModule {
    return {
      module: GatewayModule,
      controllers: [
        RunsController,
        SchedulesController,
        MeController,
        ApiKeysController,
        MembersController,
        TenantRolesController,
        ...(parts.notifications ? [NotificationsController] : []),
        ...(parts.audit ? [AuditController] : []),
        ...(parts.registry ? REGISTRY_CONTROLLERS : []),
        ...(parts.memory ? MEMORY_CONTROLLERS : []),
      ],
      providers: [
        AccessGuard,
        RunRoutes,
        { provide: IDEMPOTENCY, useValue: parts.idempotency ?? null },
        { provide: RUNS_CLIENT, useValue: parts.runs },
        { provide: SCHEDULES_CLIENT, useValue: parts.runs },
        { provide: API_KEYS, useValue: parts.apiKeys },
        { provide: MEMBERS, useValue: parts.members },
        { provide: NOTIFICATIONS_CLIENT, useValue: parts.notifications ?? null },
        { provide: AUDIT_CLIENT, useValue: parts.audit ?? null },
        { provide: REGISTRY_CLIENT, useValue: parts.registry ?? null },
        { provide: MEMORY_CLIENT, useValue: parts.memory ?? null },
        { provide: CREDENTIAL_WATCH, useValue: parts.credentials ?? null },
      ],
    };
  }
}
