import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  InProcessServiceClient,
  migrateOwnerServices,
  migrationNames,
  ownerServiceSchemas,
  ownerServiceModule,
  startService,
  type Environment,
  type OperationMap,
  type OwnerParts,
  type OwnerServiceConfig,
  type OwnerServiceDefinition,
  type PostgresEventStore,
  type ReadinessCheck,
  type RunningService,
  type ServiceConfig,
  type StreamMap,
} from '@evalvault/platform';
import type {
  AuditOperations,
  AuditStreams,
  MemoryOperations,
  NotificationsOperations,
  RegistryOperations,
  RunsOperations,
} from '@evalvault/service-apis';
import { AUDIT_SERVICE } from '@evalvault/service-audit';
import {
  datasetUploadLimit,
  GATEWAY_SERVICE,
  inProcessRegistryClient,
  type GatewayClients,
  type GatewayPeers,
} from '@evalvault/service-gateway';
import { MEMORY_SERVICE } from '@evalvault/service-memory';
import { NOTIFIER_SERVICE, type NotifierPeers } from '@evalvault/service-notifier';
import { datasetUploadHandler, REGISTRY_SERVICE } from '@evalvault/service-registry';
import { RUNS_SERVICE } from '@evalvault/service-runs';
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
  /** The platform's one registry: every service's series on the gateway's /metrics. */
  registry: Registry;
}

interface StartOptions<Peers> {
  peers?: Peers;
  /** The service's own variables on top of the platform's environment. */
  env?: Environment;
  /** Only the gateway listens; the others are called in-process. */
  port?: number;
  readiness?: ReadinessCheck[];
  /** The platform's registry (shared.registry) by default, so that /metrics shows every service's series. */
  registry?: Registry;
}

/**
 * One service of the process from its declaration, exactly as its distributed main.ts composes
 * it: only the adapters differ (the shared database, the embedded bus, no relay of its own).
 */
export async function startEmbeddedService<
  Config extends OwnerServiceConfig,
  Ops extends OperationMap<Ops>,
  Streams extends StreamMap<Streams>,
  Exports,
  Peers,
>(
  definition: OwnerServiceDefinition<Config, Ops, Streams, Exports, Peers>,
  shared: Shared,
  options: StartOptions<Peers> = {},
): Promise<{ parts: OwnerParts<Ops, Streams, Exports>; service: RunningService }> {
  const logger = shared.loggerFor(definition.name);
  const config = definition.config({ ...shared.env, ...options.env });
  const parts = await definition.compose(
    config,
    {
      pool: shared.pool,
      dataSource: shared.dataSource,
      store: shared.store,
      kafka: null,
      logger,
      registry: options.registry ?? shared.registry,
      eventServer: (groupId, transportId) => shared.bus.eventServer(groupId, transportId, logger),
    },
    options.peers as Peers,
  );
  const service = await shared.started(
    startService(
      ownerServiceModule(parts, options.readiness),
      shared.serviceConfig(definition.name, options.port ?? 0),
      {
        consumers: parts.consumers,
        logger,
        listen: options.port !== undefined,
        onStopped: () => parts.close(),
        registry: options.registry ?? shared.registry,
        ...(parts.beforeListen ? { beforeListen: parts.beforeListen } : {}),
      },
    ),
  );
  return { parts, service };
}

/**
 * The owning services, each from its declaration, and the in-process clients the gateway calls them through.
 * The notifier's links point at the gateway unless EVALVAULT_PUBLIC_URL says otherwise (`gatewayUrl`: once it listens).
 */
export async function startOwningServices(shared: Shared, notifier: NotifierPeers): Promise<GatewayClients> {
  const runs = (await startEmbeddedService(RUNS_SERVICE, shared)).parts;
  const registry = (await startEmbeddedService(REGISTRY_SERVICE, shared)).parts;
  const notifications = (await startEmbeddedService(NOTIFIER_SERVICE, shared, { peers: notifier })).parts;
  const audit = (await startEmbeddedService(AUDIT_SERVICE, shared)).parts;
  const memory = (await startEmbeddedService(MEMORY_SERVICE, shared)).parts;
  return {
    runs: new InProcessServiceClient<RunsOperations>('runs', runs.internalApi!.operations),
    registry: inProcessRegistryClient(
      new InProcessServiceClient<RegistryOperations>('registry', registry.internalApi!.operations),
      datasetUploadHandler(registry.exports.commands, randomUUID),
      datasetUploadLimit(shared.env),
    ),
    notifications: new InProcessServiceClient<NotificationsOperations>(
      'notifier',
      notifications.internalApi!.operations,
    ),
    audit: new InProcessServiceClient<AuditOperations, AuditStreams>(
      'audit',
      audit.internalApi!.operations,
      audit.internalApi!.streams,
    ),
    memory: new InProcessServiceClient<MemoryOperations>('memory', memory.internalApi!.operations),
  };
}

/** The gateway, from its declaration, listening on the platform's port with in-process peers. */
export async function startEmbeddedGateway(
  shared: Shared,
  peers: GatewayPeers,
  options: { port: number; bootstrapAdminKey: string; readiness: ReadinessCheck[]; registry: Registry },
): Promise<RunningService> {
  const env = { EVALVAULT_BOOTSTRAP_ADMIN_KEY: options.bootstrapAdminKey };
  return (await startEmbeddedService(GATEWAY_SERVICE, shared, { ...options, peers, env })).service;
}

const DEFINITIONS = [REGISTRY_SERVICE, RUNS_SERVICE, GATEWAY_SERVICE, NOTIFIER_SERVICE, AUDIT_SERVICE, MEMORY_SERVICE];

/**
 * Every service's schemas, from their declarations (the event store's first; the content store's
 * once). Only the schemas with a pending migration are migrated: a start on a current data
 * directory runs none. Says which schemas it migrated.
 */
export async function migrateAll(url: string): Promise<string[]> {
  return (await migrateOwnerServices(DEFINITIONS, url)).migrated;
}

/** Every schema with its migrations' names: what a database made by `migrateAll` depends on. */
export function schemaVersions(): [schema: string, migrations: string[]][] {
  return migrationNames(ownerServiceSchemas(DEFINITIONS));
}
