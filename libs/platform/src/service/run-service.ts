import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Module, type DynamicModule, type Type } from '@nestjs/common';
import type { Logger } from 'pino';
import type { ServiceConfig } from '../config/service-config.js';
import { createLogger, PinoNestLogger } from '../observability/logger.js';
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
export async function createServiceApp(feature: Type | DynamicModule, config: ServiceConfig, logger: Logger): Promise<NestFastifyApplication> {
  @Module({ imports: [ObservabilityModule.forService(config, logger), feature] })
  class ServiceRootModule {}
  const adapter = new FastifyAdapter();
  installHttpTracing(adapter.getInstance());
  return NestFactory.create<NestFastifyApplication>(ServiceRootModule, adapter, {
    logger: new PinoNestLogger(logger),
    bufferLogs: false,
  });
}

/**
 * Boots a service and stops it cleanly on SIGTERM/SIGINT: stop accepting traffic,
 * close the app (which closes its connections), exit 0; exit 1 if that hangs.
 */
export async function runService(feature: Type | DynamicModule, config: ServiceConfig): Promise<RunningService> {
  const logger = createLogger(config);
  const telemetry = startTelemetry(config.serviceName, { exportSpans: false });
  const app = await createServiceApp(feature, config, logger);
  await app.listen({ port: config.port, host: config.host });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://127.0.0.1:${port}`;
  logger.info({ url, port }, `${config.serviceName} listening`);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await app.close();
      await telemetry.shutdown();
    })();
    return stopping;
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
        () => { logger.info(`${config.serviceName} stopped`); logger.flush(); process.exit(0); },
        (error: unknown) => { logger.error({ err: error }, 'shutdown failed'); process.exit(1); },
      );
    });
  }
  return { app, logger, url, stop };
}
