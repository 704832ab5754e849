import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import {
  createLogger,
  appendMetrics,
  createMetricsRegistry,
  PostgresCheckpointStore,
  PostgresEventStore,
  postgresReadiness,
  type Environment,
  type LogLevel,
  type RunningService,
} from '@evalvault/platform';
import { DataDirectory } from './data-directory.js';
import { DatabaseTemplates, templateKey } from './database-template.js';
import {
  externalDatabase,
  PGLITE_START_PARAMS,
  startEmbeddedDatabase,
  type EmbeddedDatabase,
} from './embedded-database.js';
import { kafkaBus, storeBus, type EmbeddedBus } from './embedded-bus.js';
import { startLocalOidcIssuer } from './local-oidc-issuer.js';
import { migrateAll, schemaVersions, startEmbeddedGateway, startOwningServices } from './services.js';

export interface EmbeddedOptions {
  /** Where the database and generated secrets live; default ./.evalvault. */
  dataDir?: string;
  /** The gateway's port on `host`; default 8080, 0 for any free port. */
  port?: number;
  host?: string;
  /** Only warnings and errors in the log (the CLI's in-process platform). */
  quiet?: boolean;
  logLevel?: LogLevel;
  /**
   * A key the operator chose (EVALVAULT_BOOTSTRAP_ADMIN_KEY); otherwise one is generated once and kept in
   * the data directory.
   */
  bootstrapAdminKey?: string;
  /** A real PostgreSQL instead of the embedded one (DATABASE_URL). */
  databaseUrl?: string;
  /** A real Kafka instead of the event store as the bus (KAFKA_BROKERS). */
  kafkaBrokers?: string[];
  /**
   * The local OIDC issuer's port (EVALVAULT_OIDC_PORT); default the gateway's port + 10, any free port when
   * that is 0.
   */
  oidcPort?: number;
  /** Settings the services read like in distributed mode (the judge's EVALVAULT_* variables, rate limits). */
  env?: Environment;
  /**
   * Where new data directories' databases are copied from (see DatabaseTemplates), null for none
   * (PGlite's initdb and every migration on each new data directory); default
   * `$XDG_CACHE_HOME/evalvault/database-templates` (`~/.cache/…`).
   */
  databaseTemplates?: string | null;
}

export interface EmbeddedPlatform {
  url: string;
  /** Admin of project `default` of tenant `default` (no audit role: it grants those to named members and keys). */
  adminKey: string;
  /** Where the generated key is kept (null when the operator chose it). */
  adminKeyFile: string | null;
  dataDir: string;
  /** The local OpenID Connect issuer (sign-in for the CLI and the web console). */
  oidcIssuer: string;
  /** The password of the issuer's first user, `admin`, written there at first start (never printed). */
  adminPasswordFile: string;
  database: 'embedded' | 'external';
  bus: string;
  /** How this start found its database and which schemas it migrated (none on a current data directory). */
  startup: { database: EmbeddedDatabase['origin']; migrated: string[] };
  stop(): Promise<void>;
}

/** How often a subscription reads the log without being woken, when every append wakes it in-process. */
const IN_PROCESS_POLL_MS = 5_000;

const newApiKey = (): string => `evk_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`;

/**
 * The whole platform in one process — gateway, runs, registry, notifier, audit and memory — with
 * the same services and code paths as distributed mode and only the adapters swapped (PGlite
 * behind a private Unix socket, the event store as the bus, direct calls instead of internal
 * HTTP). Pending migrations are applied at start: the data directory is this process's own. A new
 * data directory starts from a template of a migrated database when one was kept. Every
 * acknowledged write is in the database before the answer, and every consumer resumes from its
 * checkpoint, so a restart loses nothing.
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
  const closing = <T>(resource: T, close: (resource: T) => Promise<void> | void): T => {
    cleanups.push(() => close(resource));
    return resource;
  };
  try {
    const db: EmbeddedDatabase = closing(
      options.databaseUrl
        ? externalDatabase(options.databaseUrl)
        : await startEmbeddedDatabase(dir.path, { templates: databaseTemplates(options) }),
      (d) => d.close(),
    );
    const migrated = await migrateAll(db.url);
    await db.keepAsTemplate();
    const pool = closing(new pg.Pool({ connectionString: db.url, max: 10 }), (p) => p.end());
    const registry = createMetricsRegistry('evalvault');
    // One store for every service: appends wake the other services' subscriptions in-process. On
    // PGlite every append is this store's (the data directory is this process's), so the poll is
    // only a safety net: at PostgreSQL's 250 ms, the idle platform's subscriptions read the log
    // 26 times a second, 7 % of a core and a heap that kept growing.
    const store = closing(
      new PostgresEventStore(pool, undefined, {
        metrics: appendMetrics(registry),
        listen: db.deliversNotify,
        ...(db.deliversNotify ? {} : { pollIntervalMs: IN_PROCESS_POLL_MS }),
      }),
      (s) => s.close(),
    );
    const checkpoints = new PostgresCheckpointStore(pool);
    const bus: EmbeddedBus = closing(
      options.kafkaBrokers?.length
        ? await kafkaBus(
            { brokers: options.kafkaBrokers, clientId: 'evalvault-embedded' },
            store,
            checkpoints,
            loggerFor('bus'),
            registry,
          )
        : storeBus(store, checkpoints, registry),
      (b) => b.close(),
    );
    const dataSource = closing(
      await new DataSource({ type: 'postgres', url: db.url, logging: false }).initialize(),
      (d) => d.destroy(),
    );
    const host = options.host ?? '127.0.0.1';
    const serviceConfig = (serviceName: string, port = 0) => ({ serviceName, host, port, logLevel, redactPaths: [] });
    const started = async (service: Promise<RunningService>): Promise<RunningService> =>
      closing(await service, (s) => s.stop());

    const shared = { pool, dataSource, store, bus, env, loggerFor, serviceConfig, started, registry };
    let gatewayUrl: string | null = null;
    const clients = await startOwningServices(shared, { gatewayUrl: () => gatewayUrl });
    const gatewayPort = options.port ?? 8080;
    // The console's address, which the issuer's console client redirects to, is known once the gateway listens.
    let consoleListens: (redirect: string) => void = () => undefined;
    const consoleRedirect = new Promise<string>((resolve) => (consoleListens = resolve));
    const oidc = closing(
      await startLocalOidcIssuer(dir, options.oidcPort ?? (gatewayPort === 0 ? 0 : gatewayPort + 10), consoleRedirect),
      (o) => o.close(),
    );
    const adminKeyFile = options.bootstrapAdminKey ? null : dir.secretPath('bootstrap-admin-key');
    const adminKey = options.bootstrapAdminKey ?? dir.secret('bootstrap-admin-key', newApiKey);
    const front = await startEmbeddedGateway(
      shared,
      {
        clients,
        oidc: { issuer: oidc.issuer, audience: oidc.audience, jwksUri: oidc.jwksUri, console: oidc.console },
        pepper: Buffer.from(dir.secret('api-key-pepper'), 'utf8'),
      },
      {
        port: gatewayPort,
        bootstrapAdminKey: adminKey,
        readiness: [postgresReadiness(pool), ...bus.readiness],
        registry,
      },
    );
    gatewayUrl = front.url;
    consoleListens(`${front.url}/`);
    await bus.start();
    return {
      url: front.url,
      adminKey,
      adminKeyFile,
      dataDir: dir.path,
      oidcIssuer: oidc.issuer,
      adminPasswordFile: oidc.adminPasswordFile,
      database: options.databaseUrl ? 'external' : 'embedded',
      bus: bus.describe,
      startup: { database: db.origin, migrated },
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

function databaseTemplates(options: EmbeddedOptions): { store: DatabaseTemplates; key: string } | undefined {
  const cache = options.env?.['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  const directory =
    options.databaseTemplates === undefined
      ? join(cache, 'evalvault', 'database-templates')
      : options.databaseTemplates;
  if (directory === null) return undefined;
  return { store: new DatabaseTemplates(directory), key: templateKey(PGLITE_START_PARAMS, schemaVersions()) };
}
