import {
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnModuleInit,
  type Type,
} from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { CustomTransportStrategy } from '@nestjs/microservices';
import type { FastifyInstance } from 'fastify';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type pg from 'pg';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { Environment, ServiceConfig } from '../config/service-config.js';
import type { EventStoreSettings } from '../event-store/event-store-config.js';
import type { EventStore } from '../event-store/event-store.port.js';
import type { KafkaSettings } from '../kafka/kafka-config.js';
import type { ReadinessCheck, ReadinessChecks } from '../observability/health.js';
import { READINESS_CHECKS } from '../observability/tokens.js';
import type { InternalIdentityVerifier } from '../service-client/internal-identity.js';
import type {
  OperationHandlers,
  OperationMap,
  StreamHandlers,
  StreamMap,
} from '../service-client/service-client.port.js';
import type { MigrationClass } from './distributed-adapters.js';

/** What every owner service's configuration has besides its own settings (see each service's config.ts). */
export interface OwnerServiceConfig extends ServiceConfig {
  databaseUrl: string;
  kafka: KafkaSettings;
  /** EVENT_STORE / EVENTSTOREDB_URL: PostgreSQL (default) or EventStoreDB (distributed mode only). */
  eventStore: EventStoreSettings;
  /** The secret signing the gateway's internal identities; without it the internal API is off. */
  internalSecretRef: string | null;
  /** Names the relay's checkpoint; where a new relay starts. */
  relayName: string;
  relayStart: 'earliest' | 'latest';
  /** Where a new consumer group starts; services without consumers have none. */
  consumerStart?: 'earliest' | 'latest';
}

/**
 * What a service stands on, whatever the mode: distributed mode opens these on PostgreSQL and
 * Kafka (platform), the embedded platform shares one set in one process (apps/embedded).
 */
export interface OwnerAdapters {
  pool: pg.Pool;
  dataSource: DataSource;
  store: EventStore;
  /**
   * The bus server of one consumer group of this service. A new group starts where the service's
   * configuration says, unless `fromBeginning` insists (a read model must see everything).
   */
  eventServer(groupId: string, transportId: symbol, fromBeginning?: boolean): CustomTransportStrategy;
  /** The broker when there is one (dead-letter topics); null on the embedded store bus. */
  kafka: Kafka | null;
  logger: Logger;
  registry: Registry;
}

/** The API the gateway calls: operations (and streamed ones), plus any routes of the service's own. */
export interface InternalApi<Ops extends OperationMap<Ops>, Streams extends StreamMap<Streams>> {
  operations: OperationHandlers<Ops>;
  streams?: StreamHandlers<Streams>;
  /** More internal routes, checked with the same identity (e.g. the registry's streamed uploads). */
  routes?(fastify: FastifyInstance, verifier: InternalIdentityVerifier, logger: Logger): void;
}

/** A composed service: what the runner (distributed) or the embedded platform starts. */
export interface OwnerParts<Ops extends OperationMap<Ops>, Streams extends StreamMap<Streams>, Exports> {
  /** The Nest feature module: the consumers' event handlers (thin edges), or the gateway's controllers. */
  module: DynamicModule | Type;
  consumers: CustomTransportStrategy[];
  internalApi: InternalApi<Ops, Streams> | null;
  /** Last step before listening (the gateway installs its HTTP edges here). */
  beforeListen?(app: NestFastifyApplication): Promise<void> | void;
  readiness: ReadinessCheck[];
  /** Runs once the app and its consumers are up (e.g. a delivery worker). */
  start?(): void;
  /** Stops what `compose` started (timers, workers); adapters are closed by their owner. */
  close(): Promise<void>;
  /** What a composing app may need beyond the internal API (e.g. the registry's commands for in-process uploads). */
  exports: Exports;
}

/**
 * One declaration per service. From it follow the standalone process (`runOwnerService` in its
 * main.ts), the `migrate` entry (`migrateOwnerService`), the Nest module (`ownerServiceModule`)
 * and the embedded platform's wiring. Adding a service means writing its domain and this.
 */
export interface OwnerServiceDefinition<
  Config extends OwnerServiceConfig,
  Ops extends OperationMap<Ops> = Record<never, never>,
  Streams extends StreamMap<Streams> = Record<never, never>,
  Exports = undefined,
  Peers = undefined,
> {
  name: string;
  /** Stream prefixes the service owns, and so relays to the bus. */
  streams: readonly string[];
  /** Its schemas with their migrations, in order (the event store's is always applied too). */
  migrations: ReadonlyArray<readonly [schema: string, migrations: readonly MigrationClass[]]>;
  config(env: Environment): Config;
  /** Whether this process relays the service's streams (default: yes, when it owns any). */
  relays?(config: Config): boolean;
  /**
   * The services this one calls (the gateway's owners): HTTP clients in distributed mode; embedded passes
   * in-process ones.
   */
  peers?(config: Config): Promise<Peers>;
  /** Composes the service from adapters: the same code in every mode. */
  compose(config: Config, adapters: OwnerAdapters, peers: Peers): Promise<OwnerParts<Ops, Streams, Exports>>;
}

export function defineOwnerService<
  Config extends OwnerServiceConfig,
  Ops extends OperationMap<Ops> = Record<never, never>,
  Streams extends StreamMap<Streams> = Record<never, never>,
  Exports = undefined,
  Peers = undefined,
>(
  definition: OwnerServiceDefinition<Config, Ops, Streams, Exports, Peers>,
): OwnerServiceDefinition<Config, Ops, Streams, Exports, Peers> {
  return definition;
}

const PARTS = Symbol('OWNER_SERVICE_PARTS');

interface StartableParts {
  readiness: ReadinessCheck[];
  start?(): void;
}

/** Registers a service's readiness checks and starts what runs after bootstrap: the same for every service. */
@Module({})
class OwnerServiceRootModule implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    @Inject(PARTS) private readonly parts: StartableParts,
    @Inject(READINESS_CHECKS) private readonly readiness: ReadinessChecks,
  ) {}

  onModuleInit(): void {
    this.parts.readiness.forEach((check) => this.readiness.register(check));
  }

  onApplicationBootstrap(): void {
    this.parts.start?.();
  }
}

/** The Nest module of a composed service: its feature module, readiness checks and start hook. */
export function ownerServiceModule(
  parts: StartableParts & { module: DynamicModule | Type },
  readiness: readonly ReadinessCheck[] = [],
): DynamicModule {
  return {
    module: OwnerServiceRootModule,
    imports: [parts.module],
    providers: [{ provide: PARTS, useValue: { ...parts, readiness: [...readiness, ...parts.readiness] } }],
  };
}
