import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Module, type DynamicModule, type Type } from '@nestjs/common';
import type { CustomTransportStrategy } from '@nestjs/microservices';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ServiceConfig } from '../config/service-config.js';
import { createLogger, PinoNestLogger } from '../observability/logger.js';
import { installHttpMetrics } from '../observability/http-metrics.js';
import { createMetricsRegistry } from '../observability/metrics.js';
import { ObservabilityModule } from '../observability/observability.module.js';
import { startTelemetry } from '../observability/telemetry.js';
import { installHttpTracing } from '../observability/tracing.js';

export interface RunningService {
  app: NestFastifyApplication;
  logger: Logger;
  url: string;
  stop(): Promise<void>;
}

const SHUTDOWN_GRACE_MS = 10_000;

/** Builds a service's Nest app on Fastify with the observability kit, without listening. */
export async function createServiceApp(
  feature: Type | DynamicModule,
  config: ServiceConfig,
  logger: Logger,
  registry?: Registry,
): Promise<NestFastifyApplication> {
  const metrics = registry ?? createMetricsRegistry(config.serviceName);
  @Module({ imports: [ObservabilityModule.forService(config, logger, metrics), feature] })
  class ServiceRootModule {}
  const adapter = new FastifyAdapter();
  installHttpTracing(adapter.getInstance());
  installHttpMetrics(adapter.getInstance(), metrics);
  return NestFactory.create<NestFastifyApplication>(ServiceRootModule, adapter, {
    logger: new PinoNestLogger(logger),
    bufferLogs: false,
  });
}

export interface ServiceExtras {
  /** Event consumers (bus servers) to run inside the app; their handlers are its @EventPattern methods. */
  consumers?: CustomTransportStrategy[];
  /** Last step before listening, e.g. registering the internal API on the Fastify instance. */
  beforeListen?: (app: NestFastifyApplication) => Promise<void> | void;
  /** Closed after the app, e.g. database pools the feature module was given. */
  onStopped?: () => Promise<void>;
  /** The logger and metrics registry the service's own adapters already use, so /metrics shows theirs. */
  logger?: Logger;
  registry?: Registry;
}

/**
 * Boots a service's app with its consumers and HTTP server, without process concerns: the
 * embedded platform starts several in one process. `listen: false` keeps the HTTP server
 * closed (its consumers still run): embedded, only the gateway is reachable.
 */
export async function startService(
  feature: Type | DynamicModule,
  config: ServiceConfig,
  extras: ServiceExtras & { listen?: boolean } = {},
): Promise<RunningService> {
  const logger = extras.logger ?? createLogger(config);
  const app = await createServiceApp(feature, config, logger, extras.registry);
  for (const strategy of extras.consumers ?? []) app.connectMicroservice({ strategy }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  await extras.beforeListen?.(app);
  let url = '';
  if (extras.listen === false) {
    await app.init();
  } else {
    await app.listen({ port: config.port, host: config.host });
    const address = app.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    url = `http://127.0.0.1:${port}`;
    logger.info({ url, port }, `${config.serviceName} listening`);
  }
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await app.close();
      await extras.onStopped?.();
    })();
    return stopping;
  };
  return { app, logger, url, stop };
}

/**
 * Boots a service as its own process and stops it cleanly on SIGTERM/SIGINT: stop accepting
 * traffic, close the app (which closes its consumers and connections), exit 0; exit 1 if that hangs.
 */
export async function runService(
  feature: Type | DynamicModule,
  config: ServiceConfig,
  extras: ServiceExtras = {},
): Promise<RunningService> {
  const telemetry = startTelemetry(config.traceExport?.serviceName ?? config.serviceName, {
    exportSpans: config.traceExport !== undefined,
  });
  const service = await startService(feature, config, extras);
  const { logger } = service;
  const stop = async (): Promise<void> => {
    await service.stop();
    await telemetry.shutdown();
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, `${config.serviceName} shutting down`);
      const force = setTimeout(() => {
        logger.error(`${config.serviceName} did not stop within ${SHUTDOWN_GRACE_MS} ms; exiting`);
        process.exit(1);
      }, SHUTDOWN_GRACE_MS);
      force.unref();
      stop().then(
        () => {
          logger.info(`${config.serviceName} stopped`);
          logger.flush();
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
  return { ...service, stop };
}
