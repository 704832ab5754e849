import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ServiceConfig } from '../config/service-config.js';
import { createMetricsRegistry } from './metrics.js';
import { ReadinessChecks } from './health.js';
import { OperationsController } from './operations.controller.js';
import { LOGGER, METRICS_REGISTRY, READINESS_CHECKS, SERVICE_CONFIG } from './tokens.js';

/** Logs, metrics and health for one service; imported once by every service's root module. */
@Global()
@Module({})
export class ObservabilityModule {
  static forService(
    config: ServiceConfig,
    logger: Logger,
    registry: Registry = createMetricsRegistry(config.serviceName),
  ): DynamicModule {
    return {
      module: ObservabilityModule,
      controllers: [OperationsController],
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: METRICS_REGISTRY, useValue: registry },
        { provide: READINESS_CHECKS, useValue: new ReadinessChecks() },
      ],
      exports: [SERVICE_CONFIG, LOGGER, METRICS_REGISTRY, READINESS_CHECKS],
    };
  }
}
