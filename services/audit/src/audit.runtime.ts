import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { CustomTransportStrategy } from '@nestjs/microservices';
import {
  appendedEventsCounter, busMetrics, createKafka, ensureTopics, EventRelay, EVENT_STORE_MIGRATIONS, KafkaEventClient, KafkaEventServer,
  kafkaLogCreator, kafkaReadiness, pendingMigrations, PostgresCheckpointStore, PostgresEventStore, postgresReadiness, type EventStore, type ReadinessCheck,
} from '@evalvault/platform';
import type { AuditConfig } from './config.js';
import { AUDIT_LOG } from './audit.module.js';
import { AUDIT_STREAM_PREFIXES, ForgetSubject } from './forget/forget-subject.js';
import { AUDIT_MIGRATIONS, AUDIT_SCHEMA } from './log/audit-log.migrations.js';
import { AuditProjection } from './log/audit.projection.js';
import { sqlOfPg } from './log/sql.js';
import { AuditQueries } from './query/audit.queries.js';
import { AuditRetention } from './retention/audit-retention.js';
import { SubjectKeys } from './subjects/subject-keys.js';
import { AuditReplay } from './verify/audit-replay.js';

export interface AuditRuntime {
  projection: AuditProjection;
  queries: AuditQueries;
  replay: AuditReplay;
  retention: AuditRetention;
  forget: ForgetSubject;
  consumers: CustomTransportStrategy[];
  readiness: ReadinessCheck[];
  close(): Promise<void>;
}

/**
 * The audit service on PostgreSQL and Kafka: one consumer group over every topic, a relay
 * for its own SubjectForgotten streams, and a retention timer. Migrations are explicit
 * (npm run migrate); a service finding them pending refuses to start.
 */
export async function createAuditRuntime(config: AuditConfig, logger: Logger, registry: Registry): Promise<AuditRuntime> {
  for (const [schema, migrations] of [['eventstore', EVENT_STORE_MIGRATIONS], [AUDIT_SCHEMA, AUDIT_MIGRATIONS]] as const) {
    if (await pendingMigrations(config.databaseUrl, schema, [...migrations])) {
      throw new Error(`schema ${schema} has pending migrations: run "npm run migrate" first`);
    }
  }
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 10 });
  const dataSource = await new DataSource({ type: 'postgres', url: config.databaseUrl, logging: false }).initialize();
  const store = new PostgresEventStore(pool, undefined, { appendedCounter: appendedEventsCounter(registry) });
  const kafka = createKafka(config.kafka, { logCreator: kafkaLogCreator(logger) });
  const metrics = busMetrics(registry);
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin);
  const client = new KafkaEventClient(kafka, metrics);
  const relay = new EventRelay(store, client, new PostgresCheckpointStore(pool), {
    name: config.relayName, filter: { streamPrefixes: [...AUDIT_STREAM_PREFIXES] }, logger, registry,
    ...(config.relayStart === 'latest' ? { startWhenNew: () => store.headPosition() } : {}),
  });
  await relay.start();
  const parts = assembleAudit(config, {
    pool, dataSource, store, logger,
    eventServer: (groupId, transportId) => new KafkaEventServer({ kafka, groupId, transportId, logger, metrics, fromBeginning: config.consumerStart === 'earliest' }),
  });
  return {
    ...parts,
    readiness: [postgresReadiness(pool), kafkaReadiness(admin)],
    async close() {
      await parts.close();
      await admin.disconnect();
      await relay.stop();
      await client.close();
      await store.close();
      await dataSource.destroy();
      await pool.end();
    },
  };
}

/** What the audit service is built on; the modes differ only here (relays and pools are the caller's). */
export interface AuditAdapters {
  pool: pg.Pool;
  dataSource: DataSource;
  store: EventStore;
  /** The consumer of one group: Kafka in distributed mode, the event store itself embedded. */
  eventServer(groupId: string, transportId: symbol): CustomTransportStrategy;
  logger: Logger;
}

/** The audit service's parts from adapters, with its retention timer; `close` stops the timer only. */
export function assembleAudit(config: Pick<AuditConfig, 'groupId' | 'retentionIntervalMs'>, adapters: AuditAdapters): Omit<AuditRuntime, 'readiness'> {
  const { pool, dataSource, store, logger } = adapters;
  const retention = new AuditRetention(pool);
  const timer = config.retentionIntervalMs > 0
    ? setInterval(() => {
      retention.purgeAll(Date.now()).then(
        (purged) => { if (purged > 0) logger.info({ purged }, 'audit retention purged entries'); },
        (error: unknown) => logger.error({ err: error }, 'audit retention failed'),
      );
    }, config.retentionIntervalMs)
    : null;
  timer?.unref();
  return {
    projection: new AuditProjection(dataSource),
    queries: new AuditQueries(pool),
    replay: new AuditReplay(pool, store),
    retention,
    forget: new ForgetSubject(store, new SubjectKeys(sqlOfPg(pool)), { now: Date.now, newId: randomUUID }),
    consumers: [adapters.eventServer(config.groupId, AUDIT_LOG)],
    async close() {
      if (timer) clearInterval(timer);
    },
  };
}
