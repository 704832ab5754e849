import 'reflect-metadata';
import {
  createLogger, createMetricsRegistry, EVENT_STORE_MIGRATIONS, HttpServiceClient, InternalIdentitySigner, openDistributedAdapters, runService, secretResolver,
} from '@evalvault/platform';
import type { AuditOperations, AuditStreams, NotificationsOperations, RegistryOperations, RunsOperations } from '@evalvault/service-apis';
import { discoverJwksUri } from './auth/index.js';
import { GATEWAY_MIGRATIONS, GATEWAY_SCHEMA } from './gateway.migrations.js';
import { createGatewayRuntime } from './gateway.runtime.js';
import { HttpRegistryClient } from './registry/index.js';
import { GATEWAY_STREAM_PREFIXES } from './members/members.decider.js';
import { loadConfig } from './config.js';

// Distributed mode: PostgreSQL, Kafka for the relay of the gateway's own streams, HTTP clients to the owners.
const config = loadConfig(process.env);
const logger = createLogger(config);
const registry = createMetricsRegistry(config.serviceName);
const secrets = secretResolver();
const adapters = await openDistributedAdapters({
  databaseUrl: config.databaseUrl, kafka: config.kafka, logger, registry,
  schemas: [['eventstore', EVENT_STORE_MIGRATIONS], [GATEWAY_SCHEMA, GATEWAY_MIGRATIONS]],
});
const { pool, store } = adapters;
const signer = new InternalIdentitySigner({ secret: Buffer.from(await secrets(config.internalSecretRef), 'utf8') });
const oidc = config.oidc ? { ...config.oidc, jwksUri: config.oidc.jwksUri ?? (await discoverJwksUri(config.oidc.issuer)) } : null;

const relay = adapters.relay({ name: config.relayName, streamPrefixes: GATEWAY_STREAM_PREFIXES, start: config.relayStart });

const gateway = await createGatewayRuntime({
  config, logger, pool, store, oidc, readiness: adapters.readiness,
  pepper: Buffer.from(await secrets(config.apiKeyPepperRef), 'utf8'),
  clients: {
    runs: new HttpServiceClient<RunsOperations>({ serviceName: 'runs', baseUrl: config.runsUrl, signer }),
    notifications: new HttpServiceClient<NotificationsOperations>({ serviceName: 'notifier', baseUrl: config.notifierUrl, signer }),
    audit: new HttpServiceClient<AuditOperations, AuditStreams>({ serviceName: 'audit', baseUrl: config.auditUrl, signer }),
    registry: new HttpRegistryClient(
      new HttpServiceClient<RegistryOperations>({ serviceName: 'registry', baseUrl: config.registryUrl, signer }),
      { baseUrl: config.registryUrl, signer, maxUploadBytes: config.datasetUploadMaxBytes },
    ),
  },
});
await relay.start();

await runService(gateway.module, config, {
  logger,
  registry,
  beforeListen: (app) => gateway.beforeListen(app),
  onStopped: () => adapters.close(),
});
