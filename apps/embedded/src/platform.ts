import { randomBytes, randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import pg from 'pg';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import {
  CONTENT_STORE_MIGRATIONS, CONTENT_STORE_SCHEMA, createLogger, createMetricsRegistry, InProcessServiceClient, migrateEventStore,
  PostgresCheckpointStore, PostgresEventStore, runMigrations,
  secretResolver, startService, type Environment, type LogLevel, type RunningService,
} from '@evalvault/platform';
import type { AuditOperations, AuditStreams, NotificationsOperations, RegistryOperations, RunsOperations } from '@evalvault/service-apis';
import { MemoryModule } from '@evalvault/service-memory';
import { assembleAudit, AUDIT_MIGRATIONS, AUDIT_SCHEMA, AuditModule, auditOperationHandlers, auditStreamHandlers, loadAuditConfig } from '@evalvault/service-audit';
import {
  assembleRegistry, datasetUploadHandler, loadConfig as loadRegistryConfig, REGISTRY_MIGRATIONS, REGISTRY_SCHEMA, RegistryModule, registryOperationHandlers,
} from '@evalvault/service-registry';
import {
  buildNotifier, loadConfig as loadNotifierConfig, NOTIFIER_MIGRATIONS, NOTIFIER_SCHEMA, NotifierModule, type DeadLetterSink,
} from '@evalvault/service-notifier';
import { assembleRuns, loadRunsConfig, RUNS_MIGRATIONS, RUNS_SCHEMA, RunsModule, runsOperationHandlers } from '@evalvault/service-runs';
import {
  createGatewayRuntime, GATEWAY_MIGRATIONS, GATEWAY_SCHEMA, inProcessRegistryClient, loadHttpEdgesConfig, datasetUploadLimit,
} from '@evalvault/service-gateway';
import { DataDirectory } from './data-directory.js';
import { externalDatabase, startEmbeddedDatabase, type EmbeddedDatabase } from './embedded-database.js';
import { kafkaBus, storeBus, type EmbeddedBus } from './embedded-bus.js';
import { startLocalOidcIssuer } from './local-oidc-issuer.js';

export interface EmbeddedOptions {
  /** Where the database and generated secrets live; default ./.evalvault. */
  dataDir?: string;
  /** The gateway's port on `host`; default 8080, 0 for any free port. */
  port?: number;
  host?: string;
  /** Only warnings and errors in the log (the CLI's in-process platform). */
  quiet?: boolean;
  logLevel?: LogLevel;
  /** A key the operator chose (EVALVAULT_BOOTSTRAP_ADMIN_KEY); otherwise one is generated once and kept in the data directory. */
  bootstrapAdminKey?: string;
  /** A real PostgreSQL instead of the embedded one (DATABASE_URL). */
  databaseUrl?: string;
  /** A real Kafka instead of the event store as the bus (KAFKA_BROKERS). */
  kafkaBrokers?: string[];
  /** The local OIDC issuer's port (EVALVAULT_OIDC_PORT); default the gateway's port + 10, any free port when that is 0. */
  oidcPort?: number;
  /** Settings the services read like in distributed mode (the judge's EVALVAULT_* variables, rate limits). */
  env?: Environment;
}

export interface EmbeddedPlatform {
  url: string;
  /** Admin of project `default` and auditor of tenant `default`. */
  adminKey: string;
  /** Where the generated key is kept (null when the operator chose it). */
  adminKeyFile: string | null;
  dataDir: string;
  /** The local OpenID Connect issuer (sign-in for the CLI and browsers). */
  oidcIssuer: string;
  database: 'embedded' | 'external';
  bus: string;
  stop(): Promise<void>;
}

const newApiKey = (): string => `evk_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`;

/**
 * The whole platform in one process — gateway, runs, registry, notifier, audit and memory — with
 * the same services and code paths as distributed mode,
 * with only the adapters swapped (PGlite behind a PostgreSQL socket, the event store as the
 * bus, direct calls instead of internal HTTP). Migrations are applied at start: the data
 * directory is this process's own. Every acknowledged write is in the database before the
 * answer, and every consumer resumes from its checkpoint, so a restart loses nothing.
 */
export async function startEmbeddedPlatform(options: EmbeddedOptions = {}): Promise<EmbeddedPlatform> {
  const env = options.env ?? {};
  const logLevel = options.logLevel ?? (options.quiet ? 'warn' : 'info');
  const loggerFor = (serviceName: string): Logger => createLogger({ serviceName, logLevel, redactPaths: [] });
  const dir = DataDirectory.open(resolve(options.dataDir ?? '.evalvault'));
  const cleanups: Array<() => Promise<void> | void> = [() => dir.release()];
  const stop = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    const db: EmbeddedDatabase = options.databaseUrl ? externalDatabase(options.databaseUrl) : await startEmbeddedDatabase(dir.path);
    cleanups.push(() => db.close());
    await migrateEventStore(db.url);
    await runMigrations(db.url, CONTENT_STORE_SCHEMA, CONTENT_STORE_MIGRATIONS);
    await runMigrations(db.url, REGISTRY_SCHEMA, REGISTRY_MIGRATIONS);
    await runMigrations(db.url, RUNS_SCHEMA, RUNS_MIGRATIONS);
    await runMigrations(db.url, GATEWAY_SCHEMA, GATEWAY_MIGRATIONS);
    await runMigrations(db.url, NOTIFIER_SCHEMA, NOTIFIER_MIGRATIONS);
    await runMigrations(db.url, AUDIT_SCHEMA, AUDIT_MIGRATIONS);

    const pool = new pg.Pool({ connectionString: db.url, max: 10 });
    cleanups.push(() => pool.end());
    const registry = createMetricsRegistry('evalvault');
    // One store for every service: appends wake the other services' subscriptions in-process.
    const store = new PostgresEventStore(pool, undefined, { listen: db.deliversNotify });
    cleanups.push(() => store.close());
    const checkpoints = new PostgresCheckpointStore(pool);
    const bus: EmbeddedBus = options.kafkaBrokers?.length
      ? await kafkaBus({ brokers: options.kafkaBrokers, clientId: 'evalvault-embedded' }, store, checkpoints, loggerFor('bus'), registry)
      : storeBus(store, checkpoints, registry);
    cleanups.push(() => bus.close());
    const host = options.host ?? '127.0.0.1';
    const serviceConfig = (serviceName: string, port = 0) => ({ serviceName, host, port, logLevel, redactPaths: [] });
    const started = async (service: Promise<RunningService>): Promise<RunningService> => {
      const running = await service;
      cleanups.push(() => running.stop());
      return running;
    };

    const runsLogger = loggerFor('runs');
    const dataSource = await new DataSource({ type: 'postgres', url: db.url, logging: false }).initialize();
    cleanups.push(() => dataSource.destroy());
    const runsSettings = { ...loadRunsConfig(env), roles: new Set(['planner', 'worker', 'projection'] as const) };
    const runs = await assembleRuns(runsSettings, {
      pool, dataSource, store, relay: null, readiness: [],
      eventServer: (groupId, transportId) => bus.eventServer(groupId, transportId, runsLogger),
      close: async () => undefined,
    }, runsLogger);
    await started(startService(RunsModule.with(runs), serviceConfig('runs'), { consumers: runs.consumers, logger: runsLogger, listen: false }));

    const registryLogger = loggerFor('registry');
    const registryConfig = loadRegistryConfig(env);
    const registryParts = assembleRegistry(registryConfig, {
      pool, dataSource, store, publisher: null, logger: registryLogger, registry: createMetricsRegistry('registry'),
      eventServer: (groupId, transportId) => bus.eventServer(groupId, transportId, registryLogger),
    });
    await started(startService(RegistryModule.with({ ...registryParts, readiness: [], close: async () => undefined }), serviceConfig('registry'), {
      consumers: registryParts.consumers, logger: registryLogger, listen: false,
    }));

    const notifierLogger = loggerFor('notifier');
    const notifier = buildNotifier({
      dataSource, store, secrets: secretResolver(), logger: notifierLogger, registry: createMetricsRegistry('notifier'),
      deadLetters: loggedDeadLetters(notifierLogger),
      serverFor: (groupId, transportId) => bus.eventServer(groupId, transportId, notifierLogger),
    }, loadNotifierConfig(env));
    await started(startService(NotifierModule.with(notifier), serviceConfig('notifier'), {
      consumers: notifier.consumers, logger: notifierLogger, listen: false, onStopped: () => notifier.worker.stop(),
    }));

    const auditLogger = loggerFor('audit');
    const audit = assembleAudit(loadAuditConfig(env), {
      pool, dataSource, store, logger: auditLogger,
      eventServer: (groupId, transportId) => bus.eventServer(groupId, transportId, auditLogger),
    });
    await started(startService(AuditModule.with({ ...audit, readiness: [] }), serviceConfig('audit'), {
      consumers: audit.consumers, logger: auditLogger, listen: false, onStopped: () => audit.close(),
    }));

    // Domain Memory has no capability yet; its (empty) service boots like the others.
    await started(startService(MemoryModule, serviceConfig('memory'), { logger: loggerFor('memory'), listen: false }));

    const gatewayPort = options.port ?? 8080;
    const oidc = await startLocalOidcIssuer(dir, options.oidcPort ?? (gatewayPort === 0 ? 0 : gatewayPort + 10));
    cleanups.push(() => oidc.close());

    const adminKeyFile = options.bootstrapAdminKey ? null : dir.secretPath('bootstrap-admin-key');
    const adminKey = options.bootstrapAdminKey ?? dir.secret('bootstrap-admin-key', newApiKey);
    const gatewayLogger = loggerFor('gateway');
    const gateway = await createGatewayRuntime({
      config: { bootstrapAdminKey: adminKey, http: loadHttpEdgesConfig(env) },
      logger: gatewayLogger, pool, store,
      oidc: { issuer: oidc.issuer, audience: oidc.audience, jwksUri: oidc.jwksUri },
      pepper: Buffer.from(dir.secret('api-key-pepper'), 'utf8'),
      clients: {
        runs: new InProcessServiceClient<RunsOperations>('runs', runsOperationHandlers(runs.commands, runs.queries, randomUUID)),
        notifications: new InProcessServiceClient<NotificationsOperations>('notifier', notifier.operations),
        audit: new InProcessServiceClient<AuditOperations, AuditStreams>('audit', auditOperationHandlers({ ...audit, newId: randomUUID }), auditStreamHandlers(audit.queries)),
        registry: inProcessRegistryClient(
          new InProcessServiceClient<RegistryOperations>('registry', registryOperationHandlers(registryParts.commands, registryParts.queries, randomUUID)),
          datasetUploadHandler(registryParts.commands, randomUUID),
          datasetUploadLimit(env),
        ),
      },
    });
    const front = await started(startService(gateway.module, serviceConfig('gateway', gatewayPort), {
      logger: gatewayLogger, registry, beforeListen: (app) => gateway.beforeListen(app),
    }));
    await bus.start();
    return {
      url: front.url, adminKey, adminKeyFile, dataDir: dir.path, oidcIssuer: oidc.issuer,
      database: options.databaseUrl ? 'external' : 'embedded', bus: bus.describe, stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
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
