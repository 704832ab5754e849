import { Module, type DynamicModule } from '@nestjs/common';
import type { ServiceClient } from '@evalvault/platform';
import type { RunsOperations } from '@evalvault/service-apis';
import { AccessGuard } from './access/access.guard.js';
import { RunsController, RUNS_CLIENT } from './runs/runs.controller.js';

/** The public REST API: routes authenticate, pass the access guard, and call the owning service. */
@Module({})
export class GatewayModule {
  static with(clients: { runs: ServiceClient<RunsOperations> }): DynamicModule {
    return {
      module: GatewayModule,
      controllers: [RunsController],
      providers: [AccessGuard, { provide: RUNS_CLIENT, useValue: clients.runs }],
    };
  }
}
