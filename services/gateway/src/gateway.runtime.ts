import { randomUUID } from 'node:crypto';
import type { DynamicModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { EventStore, ServiceClient } from '@evalvault/platform';
import type { NotificationsOperations, RunsOperations } from '@evalvault/service-apis';
import { ApiKeyAuthenticator, ApiKeySecretHasher, Authenticator, OidcVerifier } from './auth/index.js';
import { installAuthentication } from './auth/authentication.hook.js';
import { FailedAuthLimiter } from './auth/failed-auth-limiter.js';
import { CredentialWatch, DEFAULT_STREAM_RECHECK_MS } from './auth/credential-watch.js';
import { ensureBootstrapKey } from './auth/bootstrap-key.js';
import { PostgresApiKeyStore } from './auth/postgres-api-key.store.js';
import { PostgresApiKeySecretStore } from './auth/postgres-api-key-secret.store.js';
import { ApiKeysService } from './access/api-keys.service.js';
import { DeniedAccessRecorder, installDeniedAccessRecording } from './access/denied-access.js';
import { installOpenApi } from './docs/openapi.js';
import { consoleConfig, installConsole, type ConsoleClient } from './console/index.js';
import { installSchemaRegistry } from './schema-registry/index.js';
import { IdempotencyStore, installHttpEdges } from './http/index.js';
import { MembersService } from './members/members.service.js';
import { PostgresMemberStore } from './members/postgres-member.store.js';
import { GatewayModule } from './gateway.module.js';
import type { AuditClient } from './audit/audit.controller.js';
import { installDatasetUploads, type RegistryClient } from './registry/index.js';
import type { MemoryClient } from './memory/index.js';
import type { GatewayConfig } from './config.js';

/** The owning services the gateway calls: HTTP clients in distributed mode, in-process ones embedded. */
export interface GatewayClients {
  runs: ServiceClient<RunsOperations>;
  /** The notifier's routes and delivery log; without it those routes are not served. */
  notifications?: ServiceClient<NotificationsOperations>;
  /** The audit log (queries, replay, streamed export, retention, forgetting); without it /v1/audit is not served. */
  audit?: AuditClient;
  /**
   * Datasets, prompts and model profiles (and pinning a run's registered dataset); without it those routes
   * are not served.
   */
  registry?: RegistryClient;
  /** Domain Memory (facts, behaviours, learnings, deletions, its policy); without it /v1/…/memory is not served. */
  memory?: MemoryClient;
}

export interface GatewayParts {
  /** streamRecheckMs: default 30 s. */
  config: Pick<GatewayConfig, 'bootstrapAdminKey' | 'http'> & Partial<Pick<GatewayConfig, 'streamRecheckMs'>>;
  logger: Logger;
  /** The gateway's database (schema `gateway`, migrated) and the event store on it. */
  pool: pg.Pool;
  store: EventStore;
  pepper: Buffer;
  /** console: the web console's client at the issuer; without it the console offers API keys only. */
  oidc: { issuer: string; audience: string; jwksUri: string; console?: ConsoleClient | null } | null;
  clients: GatewayClients;
}

export interface GatewayRuntime {
  module: DynamicModule;
  /** Installs docs, authentication, the HTTP edges and the denied-access audit on the app. */
  beforeListen(app: NestFastifyApplication): Promise<void>;
}

/** The gateway from already-built adapters (see gateway.service.ts, whose declaration both modes compose). */
export async function createGatewayRuntime(parts: GatewayParts): Promise<GatewayRuntime> {
  const { pool, store, logger } = parts;
  const sources = { now: Date.now, newId: randomUUID };
  const hasher = new ApiKeySecretHasher(parts.pepper);
  const keys = new PostgresApiKeyStore(pool);
  const secrets = new PostgresApiKeySecretStore(pool);
  const members = new PostgresMemberStore(pool);
  if (parts.config.bootstrapAdminKey) {
    logger.info(
      { key: await ensureBootstrapKey(parts.config.bootstrapAdminKey, { keys, secrets, hasher, store, sources }) },
      'bootstrap admin key ready',
    );
  }
  const oidc = parts.oidc
    ? new OidcVerifier({ issuer: parts.oidc.issuer, audience: parts.oidc.audience, jwksUri: parts.oidc.jwksUri })
    : null;
  const authenticator = new Authenticator({ apiKeys: new ApiKeyAuthenticator(keys, hasher), oidc, members });
  const idempotency = new IdempotencyStore(pool);
  const module = GatewayModule.with({
    runs: parts.clients.runs,
    apiKeys: new ApiKeysService(store, keys, secrets, hasher, sources),
    members: new MembersService(store, members, sources),
    notifications: parts.clients.notifications ?? null,
    audit: parts.clients.audit ?? null,
    registry: parts.clients.registry ?? null,
    memory: parts.clients.memory ?? null,
    credentials: new CredentialWatch({
      checker: authenticator,
      intervalMs: parts.config.streamRecheckMs ?? DEFAULT_STREAM_RECHECK_MS,
      logger,
    }),
    idempotency: { store: idempotency, logger },
  });
  return {
    module,
    async beforeListen(app) {
      const fastify = app.getHttpAdapter().getInstance();
      await installOpenApi(fastify, '0.1.0');
      installConsole(fastify, consoleConfig(parts.oidc));
      installSchemaRegistry(fastify);
      const { authFailuresMax, rateLimit } = parts.config.http;
      installAuthentication(
        fastify,
        authenticator,
        authFailuresMax ? new FailedAuthLimiter(authFailuresMax, rateLimit.windowMs) : undefined,
      );
      installDatasetUploads(fastify);
      const onRefused = installDeniedAccessRecording(fastify, new DeniedAccessRecorder(store, sources), logger);
      await installHttpEdges(app, {
        bodyLimit: parts.config.http.bodyLimit,
        rateLimit: parts.config.http.rateLimit,
        idempotency,
        onRefused,
      });
    },
  };
}
