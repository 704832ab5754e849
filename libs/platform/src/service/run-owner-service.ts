import { EVENT_STORE_MIGRATIONS, runMigrations, type SchemaMigrations } from '../event-store/postgres/migrate.js';
import { migrationStatus, unknownMigrationsMessage } from '../event-store/postgres/migration-status.js';
import { createLogger } from '../observability/logger.js';
import { createMetricsRegistry } from '../observability/metrics.js';
import { secretResolver } from '../secrets/secret-ref.js';
import { registerInternalApi } from '../service-client/internal-api.js';
import { InternalIdentityVerifier } from '../service-client/internal-identity.js';
import type { OperationMap, StreamMap } from '../service-client/service-client.port.js';
import type { Environment } from '../config/service-config.js';
import { openDistributedAdapters } from './distributed-adapters.js';
import { ownerServiceModule, type OwnerServiceConfig, type OwnerServiceDefinition } from './owner-service.js';
import { runService, type RunningService } from './run-service.js';

/**
 * A service as its own process (its main.ts is one call to this): PostgreSQL and Kafka opened
 * (refusing pending migrations), the service composed, its streams relayed, the internal API
 * registered when a secret is configured, and a clean stop on SIGTERM/SIGINT.
 */
export async function runOwnerService<
  Config extends OwnerServiceConfig,
  Ops extends OperationMap<Ops>,
  Streams extends StreamMap<Streams>,
  Exports,
  Peers,
>(definition: OwnerServiceDefinition<Config, Ops, Streams, Exports, Peers>, env: Environment): Promise<RunningService> {
  const config = definition.config(env);
  const logger = createLogger(config);
  const registry = createMetricsRegistry(config.serviceName);
  const adapters = await openDistributedAdapters({
    databaseUrl: config.databaseUrl,
    kafka: config.kafka,
    eventStore: config.eventStore,
    logger,
    registry,
    schemas: [['eventstore', EVENT_STORE_MIGRATIONS], ...definition.migrations],
  });
  const fromBeginning = (config.consumerStart ?? 'earliest') === 'earliest';
  const peers = (await definition.peers?.(config)) as Peers;
  const parts = await definition.compose(
    config,
    {
      ...adapters,
      logger,
      registry,
      eventServer: (groupId, transportId, always) =>
        adapters.eventServer(groupId, transportId, always ?? fromBeginning),
    },
    peers,
  );
  if (definition.streams.length > 0 && (definition.relays?.(config) ?? true)) {
    await adapters
      .relay({ name: config.relayName, streamPrefixes: definition.streams, start: config.relayStart })
      .start();
  }
  const api = parts.internalApi;
  // Only a service with an internal API needs the secret that verifies the gateway's identities.
  const secret =
    api && config.internalSecretRef ? Buffer.from(await secretResolver()(config.internalSecretRef), 'utf8') : null;
  if (api && !secret)
    logger.warn('EVALVAULT_INTERNAL_SECRET_REF is not set: the internal API (used by the gateway) is off');
  return runService(ownerServiceModule(parts, adapters.readiness), config, {
    consumers: parts.consumers,
    beforeListen: async (app) => {
      await parts.beforeListen?.(app);
      if (!api || !secret) return;
      const fastify = app.getHttpAdapter().getInstance();
      const verifier = new InternalIdentityVerifier({ secret, serviceName: definition.name });
      api.routes?.(fastify, verifier, logger);
      registerInternalApi<Ops, Streams>(fastify, {
        handlers: api.operations,
        ...(api.streams ? { streams: api.streams } : {}),
        verifier,
        logger,
      });
    },
    onStopped: async () => {
      await parts.close();
      await adapters.close();
    },
    logger,
    registry,
  });
}

/** `npm run migrate` for one service: the event store's migrations, then each of its schemas', explicitly. */
export async function migrateOwnerService(
  definition: Pick<OwnerServiceDefinition<OwnerServiceConfig>, 'migrations'>,
  databaseUrl: string,
): Promise<string[]> {
  return (await migrateOwnerServices([definition], databaseUrl)).applied;
}

/**
 * The event store's and every given service's schemas migrated, in order; a schema shared by
 * several services (the content store) once. One cheap check first: only the schemas with a
 * pending migration get a migration run (a TypeORM data source each), so on a current database
 * nothing runs. Says which schemas it migrated and which migrations it applied. Refuses a database
 * migrated by a newer release (migrations these services do not know), naming them, and changes nothing.
 */
export async function migrateOwnerServices(
  definitions: ReadonlyArray<Pick<OwnerServiceDefinition<OwnerServiceConfig>, 'migrations'>>,
  databaseUrl: string,
): Promise<{ migrated: string[]; applied: string[] }> {
  const schemas = ownerServiceSchemas(definitions);
  const status = await migrationStatus(databaseUrl, schemas);
  if (status.unknown.length > 0) throw new Error(unknownMigrationsMessage(status.unknown));
  const pending = new Set(status.pending);
  const done = new Set<SchemaMigrations[1]>();
  const migrated: string[] = [];
  const applied: string[] = [];
  for (const [schema, migrations] of schemas) {
    if (!pending.has(schema) || done.has(migrations)) continue;
    done.add(migrations);
    if (!migrated.includes(schema)) migrated.push(schema);
    applied.push(...(await runMigrations(databaseUrl, schema, [...migrations])));
  }
  return { migrated, applied };
}

/** The schemas the given services are built by, in migration order: the event store's, then each service's. */
export function ownerServiceSchemas(
  definitions: ReadonlyArray<Pick<OwnerServiceDefinition<OwnerServiceConfig>, 'migrations'>>,
): SchemaMigrations[] {
  return [['eventstore', EVENT_STORE_MIGRATIONS], ...definitions.flatMap((definition) => definition.migrations)];
}
