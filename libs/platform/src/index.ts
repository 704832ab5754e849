export * from './config/service-config.js';
export { createLogger, PinoNestLogger, SECRET_LOG_PATHS } from './observability/logger.js';
export { createMetricsRegistry } from './observability/metrics.js';
export { ReadinessChecks, type ReadinessCheck, type ReadinessReport } from './observability/health.js';
export { ObservabilityModule } from './observability/observability.module.js';
export { LOGGER, METRICS_REGISTRY, READINESS_CHECKS, SERVICE_CONFIG } from './observability/tokens.js';
export { startTelemetry } from './observability/telemetry.js';
export { createServiceApp, runService, type RunningService } from './service/run-service.js';
