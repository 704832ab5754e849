import 'reflect-metadata';
import pg from 'pg';
import {
  appendedEventsCounter, busMetrics, createKafka, createLogger, createMetricsRegistry, ensureTopics, EventRelay, HttpServiceClient,
  InternalIdentitySigner, kafkaLogCreator, KafkaEventClient, pendingMigrations, PostgresCheckpointStore, PostgresEventStore, runService, secretResolver,
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
if (await pendingMigrations(config.databaseUrl, GATEWAY_SCHEMA, GATEWAY_MIGRATIONS)) {
  throw new Error(`schema ${GATEWAY_SCHEMA} has pending migrations: run "npm run migrate" first`);
}
const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 10 });
const store = new PostgresEventStore(pool, undefined, { appendedCounter: appendedEventsCounter(registry) });
const signer = new InternalIdentitySigner({ secret: Buffer.from(await secrets(config.internalSecretRef), 'utf8') });
const oidc = config.oidc ? { ...config.oidc, jwksUri: config.oidc.jwksUri ?? (await discoverJwksUri(config.oidc.issuer)) } : null;

const kafka = createKafka(config.kafka, { logCreator: kafkaLogCreator(logger) });
const admin = kafka.admin();
await admin.connect();
await ensureTopics(admin);
await admin.disconnect();
const publisher = new KafkaEventClient(kafka, busMetrics(registry));
const relay = new EventRelay(store, publisher, new PostgresCheckpointStore(pool), {
  name: config.relayName, filter: { streamPrefixes: [...GATEWAY_STREAM_PREFIXES] }, logger, registry,
  ...(config.relayStart === 'latest' ? { startWhenNew: () => store.headPosition() } : {}),
});

const gateway = await createGatewayRuntime({
  config, logger, pool, store, oidc,
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
  onStopped: async () => {
    await relay.stop();
    await publisher.close();
    await store.close();
    await pool.end();
  },
});
