import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { CustomTransportStrategy } from '@nestjs/microservices';
import {
  EventRelay, openDistributedAdapters, PostgresCheckpointStore, PostgresContentStore, CONTENT_STORE_MIGRATIONS, CONTENT_STORE_SCHEMA, EVENT_STORE_MIGRATIONS,
  type EventPublisher, type EventStore, type GlobalPosition, type ReadinessCheck,
} from '@evalvault/platform';
import type { RegistryConfig } from './config.js';
import { RegistryProjection } from './projection/registry.projection.js';
import { RegistryQueries } from './projection/registry.queries.js';
import { REGISTRY_READ_MODEL_MIGRATIONS, REGISTRY_SCHEMA } from './projection/registry-read-model.migrations.js';
import { RegistryCommands } from './resource/registry.commands.js';
import { REGISTRY_STREAM_PREFIXES } from './resource/resource-kind.js';
import { resourceRepository } from './resource/resource.repository.js';
import { READ_MODEL } from './registry.consumers.js';

export { REGISTRY_SCHEMA };
/** Every migration of the registry schema, in order. */
export const REGISTRY_MIGRATIONS = REGISTRY_READ_MODEL_MIGRATIONS;

/** Abandoned uploads (a writer that died mid-stream) are swept at start once they are this old. */
const ABANDONED_UPLOAD_MS = 24 * 60 * 60 * 1000;

export interface RegistryRuntime {
  commands: RegistryCommands;
  queries: RegistryQueries;
  projection: RegistryProjection;
  consumers: CustomTransportStrategy[];
  relay: EventRelay | null;
  readiness: ReadinessCheck[];
  close(): Promise<void>;
}

/** Already-built adapters the registry stands on: distributed mode builds them on Kafka, embedded on in-process ones. */
export interface RegistryAdapters {
  pool: pg.Pool;
  dataSource: DataSource;
  store: EventStore & { headPosition?: () => Promise<GlobalPosition> };
  /** Makes the bus server of one consumer group. */
  eventServer: (groupId: string, transportId: symbol) => CustomTransportStrategy;
  /** Where the relay publishes the registry's streams; null: another process relays. */
  publisher: EventPublisher | null;
  logger: Logger;
  registry: Registry;
}

/** The registry's domain objects on given adapters. */
export function assembleRegistry(config: RegistryConfig, adapters: RegistryAdapters): Omit<RegistryRuntime, 'readiness' | 'close'> {
  const { pool, dataSource, store, publisher, logger, registry } = adapters;
  const content = new PostgresContentStore(pool);
  const projection = new RegistryProjection(dataSource);
  const limits = { maxBytes: config.datasetMaxBytes, maxLineBytes: config.datasetMaxLineBytes };
  const commands = new RegistryCommands(resourceRepository(store, { now: Date.now, newId: randomUUID }), content, projection, limits, logger);
  const relay = publisher
    ? new EventRelay(store, publisher, new PostgresCheckpointStore(pool), {
      name: config.relayName, filter: { streamPrefixes: [...REGISTRY_STREAM_PREFIXES] }, logger, registry,
      ...(config.relayStart === 'latest' && adapters.store.headPosition ? { startWhenNew: () => adapters.store.headPosition!() } : {}),
    })
    : null;
  return {
    commands,
    queries: new RegistryQueries(dataSource, content),
    projection,
    consumers: [adapters.eventServer(`${config.groupPrefix}-read-model`, READ_MODEL)],
    relay,
  };
}

/**
 * The registry on PostgreSQL and Kafka (distributed mode). Migrations are run explicitly
 * (npm run migrate); a service finding them pending refuses to start.
 */
export async function createRegistryRuntime(config: RegistryConfig, logger: Logger, registry: Registry): Promise<RegistryRuntime> {
  const adapters = await openDistributedAdapters({
    databaseUrl: config.databaseUrl, kafka: config.kafka, logger, registry,
    schemas: [['eventstore', EVENT_STORE_MIGRATIONS], [CONTENT_STORE_SCHEMA, CONTENT_STORE_MIGRATIONS], [REGISTRY_SCHEMA, REGISTRY_MIGRATIONS]],
  });
  const fromBeginning = config.consumerStart === 'earliest';
  const parts = assembleRegistry(config, {
    ...adapters, publisher: adapters.publisher, logger, registry,
    eventServer: (groupId, transportId) => adapters.eventServer(groupId, transportId, fromBeginning),
  });
  const swept = await new PostgresContentStore(adapters.pool).sweepAbandonedUploads(ABANDONED_UPLOAD_MS);
  if (swept > 0) logger.info({ swept }, 'abandoned dataset uploads removed');
  await parts.relay?.start();
  return {
    ...parts,
    readiness: adapters.readiness,
    async close() {
      await parts.relay?.stop();
      await adapters.close();
    },
  };
}
