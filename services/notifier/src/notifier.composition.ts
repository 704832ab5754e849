import { randomUUID } from 'node:crypto';
import type { CustomTransportStrategy } from '@nestjs/microservices';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { parseAddressRanges, type EventStore, type OperationHandlers, type SecretResolver } from '@evalvault/platform';
import type { NotificationsOperations } from '@evalvault/service-apis';
import { notificationsOperationHandlers } from './api/notifications-internal-api.js';
import type { DeliveryConfig } from './config.js';
import type { DeadLetterSink } from './delivery/dead-letters.js';
import { deliveryMetrics } from './delivery/delivery-metrics.js';
import { DeliveryQueue } from './delivery/delivery-queue.repository.js';
import { DeliveryWorker } from './delivery/delivery-worker.js';
import type { HttpDeliveryOptions } from './delivery/http-call.js';
import { JiraAdapter } from './destinations/jira.adapter.js';
import { PagerDutyAdapter } from './destinations/pagerduty.adapter.js';
import { WebhookAdapter } from './destinations/webhook.adapter.js';
import { NotificationDispatcher } from './dispatch/dispatcher.js';
import { ExportDispatcher } from './exports/export.dispatcher.js';
import { LangfuseAdapter } from './exports/langfuse.adapter.js';
import { MlflowAdapter } from './exports/mlflow.adapter.js';
import { OtlpAdapter } from './exports/otlp.adapter.js';
import { RunResultsRepository } from './exports/run-results.repository.js';
import { notificationRepository, routeRepository } from './notification/notification.repository.js';
import { NotifierProjection } from './projection/notifier.projection.js';
import { NotifierQueries } from './projection/notifier.queries.js';
import { RouteCommands } from './routes/route.commands.js';
import { DISPATCH, READ_MODEL } from './notifier.consumers.js';

/**
 * Already-built adapters: the distributed runtime makes them on PostgreSQL and Kafka, the embedded mode on
 * PGlite and the in-process bus.
 */
export interface NotifierAdapters {
  dataSource: DataSource;
  store: EventStore;
  /** A bus server for one consumer group; `fromBeginning`: where a new group starts. */
  serverFor: (groupId: string, transportId: symbol, fromBeginning: boolean) => CustomTransportStrategy;
  deadLetters: DeadLetterSink;
  secrets: SecretResolver;
  logger: Logger;
  registry: Registry;
}

export interface NotifierSettings {
  egressAllow: string[];
  /** EVALVAULT_EGRESS_ALLOW_PRIVATE (see libs/platform/src/egress/egress.ts); none when absent. */
  egressAllowPrivate?: string[];
  secretRefPrefixes: string[];
  /** The base of the links in messages, asked for at each message (see dispatch/run-link.ts). */
  publicUrl: () => string;
  groupPrefix: string;
  consumerStart: 'earliest' | 'latest';
  delivery: DeliveryConfig;
}

export interface NotifierSources {
  now: () => number;
  newId: () => string;
  random: () => number;
}

export interface Notifier {
  dispatcher: NotificationDispatcher;
  /** Tracker exports (Langfuse, MLflow, OTLP) of completed runs. */
  exports: ExportDispatcher;
  projection: NotifierProjection;
  queries: NotifierQueries;
  routes: RouteCommands;
  worker: DeliveryWorker;
  /** The dispatch group (trigger events) and the read-model group (the notifier's own events). */
  consumers: CustomTransportStrategy[];
  operations: OperationHandlers<NotificationsOperations>;
}

export function buildNotifier(
  adapters: NotifierAdapters,
  settings: NotifierSettings,
  sources: NotifierSources = { now: Date.now, newId: randomUUID, random: Math.random },
): Notifier {
  const { dataSource, store, logger } = adapters;
  const envelopeSources = { now: sources.now, newId: sources.newId };
  const projection = new NotifierProjection(dataSource);
  const queries = new NotifierQueries(dataSource);
  const notifications = notificationRepository(store, envelopeSources);
  const routes = new RouteCommands(
    routeRepository(store, envelopeSources),
    projection,
    queries,
    adapters.secrets,
    settings,
  );
  const http: HttpDeliveryOptions = {
    egressAllow: settings.egressAllow,
    egressAllowPrivate: parseAddressRanges(settings.egressAllowPrivate ?? []),
    timeoutMs: settings.delivery.timeoutMs,
    secrets: adapters.secrets,
    now: sources.now,
  };
  const runResults = new RunResultsRepository(store);
  const worker = new DeliveryWorker({
    queue: new DeliveryQueue(dataSource),
    notifications,
    projection,
    deadLetters: adapters.deadLetters,
    adapters: {
      jira: new JiraAdapter(http),
      pagerduty: new PagerDutyAdapter(http),
      teams: new WebhookAdapter('teams', http),
      slack: new WebhookAdapter('slack', http),
      langfuse: new LangfuseAdapter(http, runResults),
      mlflow: new MlflowAdapter(http, runResults),
      otlp: new OtlpAdapter(http, runResults),
    },
    metrics: deliveryMetrics(adapters.registry),
    logger,
    config: settings.delivery,
    secretRefPrefixes: settings.secretRefPrefixes,
    owner: `notifier-${sources.newId()}`,
    now: sources.now,
    random: sources.random,
    registry: adapters.registry,
  });
  return {
    dispatcher: new NotificationDispatcher(notifications, queries, projection, settings.publicUrl, logger),
    exports: new ExportDispatcher(notifications, queries, projection, settings.publicUrl, logger),
    projection,
    queries,
    routes,
    worker,
    consumers: [
      adapters.serverFor(`${settings.groupPrefix}-dispatch`, DISPATCH, settings.consumerStart === 'earliest'),
      adapters.serverFor(`${settings.groupPrefix}-read-model`, READ_MODEL, true),
    ],
    operations: notificationsOperationHandlers(routes, queries, sources.newId),
  };
}
