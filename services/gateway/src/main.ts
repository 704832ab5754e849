import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  createLogger, HttpServiceClient, InternalIdentitySigner, pendingMigrations, PostgresEventStore, postgresReadiness, runService, secretResolver,
  READINESS_CHECKS, type ReadinessChecks,
} from '@evalvault/platform';
import type { RunsOperations } from '@evalvault/service-apis';
import { ApiKeyAuthenticator, ApiKeySecretHasher, Authenticator, discoverJwksUri, OidcVerifier } from './auth/index.js';
import { installAuthentication } from './auth/authentication.hook.js';
import { ensureBootstrapKey } from './auth/bootstrap-key.js';
import { PostgresApiKeyStore } from './auth/postgres-api-key.store.js';
import { GATEWAY_MIGRATIONS, GATEWAY_SCHEMA } from './gateway.migrations.js';
import { GatewayModule } from './gateway.module.js';
import { ApiKeysService } from './access/api-keys.service.js';
import { installOpenApi } from './docs/openapi.js';
import { IdempotencyStore, installHttpEdges } from './http/index.js';
import { loadConfig } from './config.js';

const config = loadConfig(process.env);
const logger = createLogger(config);
const secrets = secretResolver();
if (await pendingMigrations(config.databaseUrl, GATEWAY_SCHEMA, GATEWAY_MIGRATIONS)) {
  throw new Error(`schema ${GATEWAY_SCHEMA} has pending migrations: run "npm run migrate" first`);
}
const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 10 });
const hasher = new ApiKeySecretHasher(Buffer.from(await secrets(config.apiKeyPepperRef), 'utf8'));
const keys = new PostgresApiKeyStore(pool);
if (config.bootstrapAdminKey) logger.info({ key: await ensureBootstrapKey(config.bootstrapAdminKey, keys, hasher) }, 'bootstrap admin key ready');
const oidc = config.oidc
  ? new OidcVerifier({ issuer: config.oidc.issuer, audience: config.oidc.audience, jwksUri: config.oidc.jwksUri ?? (await discoverJwksUri(config.oidc.issuer)) })
  : null;
const authenticator = new Authenticator({ apiKeys: new ApiKeyAuthenticator(keys, hasher), oidc });
const signer = new InternalIdentitySigner({ secret: Buffer.from(await secrets(config.internalSecretRef), 'utf8') });
const runs = new HttpServiceClient<RunsOperations>({ serviceName: 'runs', baseUrl: config.runsUrl, signer });

const apiKeys = new ApiKeysService(new PostgresEventStore(pool), keys, hasher, { now: Date.now, newId: randomUUID });

await runService(GatewayModule.with({ runs, apiKeys }), config, {
  logger,
  beforeListen: async (app) => {
    app.get<ReadinessChecks>(READINESS_CHECKS).register(postgresReadiness(pool));
    await installOpenApi(app.getHttpAdapter().getInstance(), '0.1.0');
    installAuthentication(app.getHttpAdapter().getInstance(), authenticator);
    await installHttpEdges(app, { bodyLimit: config.http.bodyLimit, rateLimit: config.http.rateLimit, idempotency: new IdempotencyStore(pool) });
  },
  onStopped: () => pool.end(),
});
