import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import {
  createMetricsRegistry, InProcessServiceClient, secretResolver, startService,
  type Environment, type PostgresEventStore, type RunningService, type ServiceConfig,
} from '@evalvault/platform';
import type { AuditOperations, AuditStreams, NotificationsOperations, RegistryOperations, RunsOperations } from '@evalvault/service-apis';
import { assembleAudit, AuditModule, auditOperationHandlers, auditStreamHandlers, loadAuditConfig } from '@evalvault/service-audit';
import type { GatewayClients } from '@evalvault/service-gateway';
import { datasetUploadLimit, inProcessRegistryClient } from '@evalvault/service-gateway';
import { MemoryModule } from '@evalvault/service-memory';
import { buildNotifier, loadConfig as loadNotifierConfig, NotifierModule, type DeadLetterSink } from '@evalvault/service-notifier';
import { assembleRegistry, datasetUploadHandler, loadConfig as loadRegistryConfig, RegistryModule, registryOperationHandlers } from '@evalvault/service-registry';
import { assembleRuns, loadRunsConfig, RunsModule, runsOperationHandlers } from '@evalvault/service-runs';
import type { EmbeddedBus } from './embedded-bus.js';

/** What every service of the process shares, and how each is started (its stop joins the platform's). */
export interface Shared {
  pool: pg.Pool;
  dataSource: DataSource;
  store: PostgresEventStore;
  bus: EmbeddedBus;
  env: Environment;
  loggerFor(serviceName: string): Logger;
  serviceConfig(serviceName: string, port?: number): ServiceConfig;
  started(service: Promise<RunningService>): Promise<RunningService>;
}

/**
 * The owning services, each composed from its own runtime parts exactly as in distributed
 * mode, started without an HTTP listener (only the gateway is reachable), and the in-process
 * clients the gateway calls them through.
 */
export async function startOwningServices(shared: Shared): Promise<GatewayClients> {
  const clients: GatewayClients = {
    runs: await startRuns(shared),
    registry: await startRegistry(shared),
    notifications: await startNotifier(shared),
    audit: await startAudit(shared),
  };
  // Domain Memory has no capability yet; its (empty) service boots like the others.
  await shared.started(startService(MemoryModule, shared.serviceConfig('memory'), { logger: shared.loggerFor('memory'), listen: false }));
  return clients;
}

async function startRuns(shared: Shared): Promise<GatewayClients['runs']> {
  const { pool, dataSource, store, bus } = shared;
  const logger = shared.loggerFor('runs');
  const settings = { ...loadRunsConfig(shared.env), roles: new Set(['planner', 'worker', 'projection'] as const) };
  const runs = await assembleRuns(settings, {
    pool, dataSource, store, relay: null, readiness: [],
    eventServer: (groupId, transportId) => bus.eventServer(groupId, transportId, logger),
    close: async () => undefined,
  }, logger);
  await shared.started(startService(RunsModule.with(runs), shared.serviceConfig('runs'), { consumers: runs.consumers, logger, listen: false }));
  return new InProcessServiceClient<RunsOperations>('runs', runsOperationHandlers(runs.commands, runs.queries, randomUUID));
}

async function startRegistry(shared: Shared): Promise<NonNullable<GatewayClients['registry']>> {
  const { pool, dataSource, store, bus } = shared;
  const logger = shared.loggerFor('registry');
  const parts = assembleRegistry(loadRegistryConfig(shared.env), {
    pool, dataSource, store, publisher: null, logger, registry: createMetricsRegistry('registry'),
    eventServer: (groupId, transportId) => bus.eventServer(groupId, transportId, logger),
  });
  await shared.started(startService(RegistryModule.with({ ...parts, readiness: [], close: async () => undefined }), shared.serviceConfig('registry'), {
    consumers: parts.consumers, logger, listen: false,
  }));
  return inProcessRegistryClient(
    new InProcessServiceClient<RegistryOperations>('registry', registryOperationHandlers(parts.commands, parts.queries, randomUUID)),
    datasetUploadHandler(parts.commands, randomUUID),
    datasetUploadLimit(shared.env),
  );
}

async function startNotifier(shared: Shared): Promise<NonNullable<GatewayClients['notifications']>> {
  const logger = shared.loggerFor('notifier');
  const notifier = buildNotifier({
    dataSource: shared.dataSource, store: shared.store, secrets: secretResolver(), logger, registry: createMetricsRegistry('notifier'),
    deadLetters: loggedDeadLetters(logger),
    serverFor: (groupId, transportId) => shared.bus.eventServer(groupId, transportId, logger),
  }, loadNotifierConfig(shared.env));
  await shared.started(startService(NotifierModule.with(notifier), shared.serviceConfig('notifier'), {
    consumers: notifier.consumers, logger, listen: false, onStopped: () => notifier.worker.stop(),
  }));
  return new InProcessServiceClient<NotificationsOperations>('notifier', notifier.operations);
}

async function startAudit(shared: Shared): Promise<NonNullable<GatewayClients['audit']>> {
  const logger = shared.loggerFor('audit');
  const audit = assembleAudit(loadAuditConfig(shared.env), {
    pool: shared.pool, dataSource: shared.dataSource, store: shared.store, logger,
    eventServer: (groupId, transportId) => shared.bus.eventServer(groupId, transportId, logger),
  });
  await shared.started(startService(AuditModule.with({ ...audit, readiness: [] }), shared.serviceConfig('audit'), {
    consumers: audit.consumers, logger, listen: false, onStopped: () => audit.close(),
  }));
  return new InProcessServiceClient<AuditOperations, AuditStreams>('audit', auditOperationHandlers({ ...audit, newId: randomUUID }), auditStreamHandlers(audit.queries));
}

/** Embedded, a notification that exhausted its attempts is a NotificationFailed event and an error line (no broker to park it on). */
function loggedDeadLetters(logger: Logger): DeadLetterSink {
  return {
    send: async (intent, error, attempts) => {
      logger.error({ eventId: intent.eventId, streamId: intent.streamId, type: intent.type, error, attempts }, 'notification dead-lettered');
    },
    close: async () => undefined,
  };
}
