export * from './config/service-config.js';
export { createLogger, PinoNestLogger, SECRET_LOG_PATHS } from './observability/logger.js';
export { createMetricsRegistry } from './observability/metrics.js';
export { ReadinessChecks, type ReadinessCheck, type ReadinessReport } from './observability/health.js';
export { ObservabilityModule } from './observability/observability.module.js';
export { LOGGER, METRICS_REGISTRY, READINESS_CHECKS, SERVICE_CONFIG } from './observability/tokens.js';
export { startTelemetry, type Telemetry } from './observability/telemetry.js';
export { loadTraceExport, tracesExportConfigured, type TraceExport } from './config/tracing-config.js';
export {
  createServiceApp,
  runService,
  startService,
  type RunningService,
  type ServiceExtras,
} from './service/run-service.js';
export { JEMALLOC_PATHS, serviceAllocatorEnv } from './service/native-allocator.js';
export {
  defineOwnerService,
  ownerServiceModule,
  type InternalApi,
  type OwnerAdapters,
  type OwnerParts,
  type OwnerServiceConfig,
  type OwnerServiceDefinition,
} from './service/owner-service.js';
export {
  migrateOwnerService,
  migrateOwnerServices,
  ownerServiceSchemas,
  runOwnerService,
} from './service/run-owner-service.js';
export {
  openDistributedAdapters,
  type DistributedAdapterOptions,
  type DistributedAdapters,
  type MigrationClass,
  type RelaySpec,
} from './service/distributed-adapters.js';
export { loadKafkaSettings, createKafka, type KafkaSettings } from './kafka/kafka-config.js';
export { ensureTopics, awaitCluster } from './kafka/topic-admin.js';
export { kafkaLogCreator } from './kafka/kafka-logging.js';
export * from './event-store/event-store.port.js';
export * from './event-store/event-store.errors.js';
export { PostgresEventStore, type PostgresEventStoreOptions } from './event-store/postgres/postgres-event-store.js';
export { readAllQuery } from './event-store/postgres/event-rows.js';
export {
  migrateEventStore,
  runMigrations,
  pendingMigrations,
  schemasWithPendingMigrations,
  migrationNames,
  revertMigrations,
  EVENT_STORE_MIGRATIONS,
  type SchemaMigrations,
} from './event-store/postgres/migrate.js';
export {
  migrationName,
  migrationStatus,
  unknownMigrationsMessage,
  type MigrationStatus,
} from './event-store/postgres/migration-status.js';
export * from './bus/bus-message.js';
export { busMetrics, type BusMetrics } from './bus/bus-metrics.js';
export { eventHeaders } from './bus/event-headers.js';
export { processMessage, deadLetterHeaders, type DeadLetter } from './bus/message-processor.js';
export { DEFAULT_MAX_MESSAGE_BYTES, PoisonCode, PoisonMessageError } from './bus/poison.js';
export { KafkaEventServer, type KafkaEventServerOptions } from './bus/kafka/kafka-event-server.js';
export { KafkaEventClient } from './bus/kafka/kafka-event-client.js';
export { InProcessBroker } from './bus/in-process/in-process-broker.js';
export { InProcessEventServer, type InProcessEventServerOptions } from './bus/in-process/in-process-event-server.js';
export { StoreEventServer, type StoreEventServerOptions } from './bus/store/store-event-server.js';
export { InProcessEventClient } from './bus/in-process/in-process-event-client.js';
export { PostgresCheckpointStore, type CheckpointStore } from './relay/checkpoint-store.js';
export { EventRelay, type EventPublisher, type EventRelayOptions } from './relay/event-relay.js';
export { LoopHealth } from './resilience/loop-health.js';
export {
  SupervisedLoop,
  DEFAULT_RESTART_POLICY,
  type RestartPolicy,
  type RunningLoop,
  type SupervisedLoopOptions,
} from './resilience/supervised-loop.js';
export { Inbox, InboxProjection, inboxMigration, type ProjectionEffect } from './inbox/inbox.js';
export { rebuildProjection, type ReadModelRebuild } from './inbox/read-model-rebuild.js';
export {
  keysetCursor,
  pageSizeOf,
  InvalidCursorError,
  type CursorCodec,
  type CursorShape,
  type CursorValue,
} from './read-model/keyset-cursor.js';
export {
  EVENT_STORE_KINDS,
  loadEventStoreSettings,
  type EventStoreSettings,
} from './event-store/event-store-config.js';
export { openEventStore, type OpenEventStoreOptions, type OpenedEventStore } from './event-store/open-event-store.js';
export {
  EventStoreDbEventStore,
  type EventStoreDbEventStoreOptions,
} from './event-store/eventstoredb/eventstoredb-event-store.js';
export * from './service-client/index.js';
export {
  currentTraceparent,
  inHttpClientSpan,
  installHttpTracing,
  inSpan,
  inSpanContinuing,
} from './observability/tracing.js';
export { postgresReadiness, kafkaReadiness } from './observability/readiness-checks.js';
export { appendMetrics, type AppendMetrics } from './event-store/append-metrics.js';
export { httpMetrics, installHttpMetrics } from './observability/http-metrics.js';
export { meteredSecrets, secretReadFailures } from './secrets/secret-metrics.js';
export { relayMetrics } from './relay/relay-metrics.js';
export {
  envelop,
  contextCausedBy,
  type CommandContext,
  type DomainEvent,
  type EnvelopeSources,
} from './event-sourcing/envelope.js';
export {
  EventSourcedRepository,
  ForeignStreamError,
  type EventSourcedDecider,
  type HandleResult,
  type Scope,
} from './event-sourcing/event-sourced-repository.js';
export { isSecretRef, secretResolver, SecretError, type SecretResolver } from './secrets/secret-ref.js';
export {
  checkEgress,
  forbiddenRange,
  parseAddressRanges,
  resolveEgress,
  systemLookup,
  type EgressCheckOptions,
  type EgressLookup,
  type EgressPolicy,
  type EgressVerdict,
  type ForbiddenRange,
  type RangeKind,
  type ResolvedEgress,
} from './egress/egress.js';
export { EventClient } from './bus/event-client.js';
export type { EventServerOptions } from './bus/event-server-options.js';
export * from './content-store/index.js';
