import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { CustomTransportStrategy } from '@nestjs/microservices';
import { EVENT_STORE_MIGRATIONS, openDistributedAdapters, type EventStore, type ReadinessCheck } from '@evalvault/platform';
import type { AuditConfig } from './config.js';
import { AUDIT_LOG } from './audit.consumers.js';
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
  const adapters = await openDistributedAdapters({
    databaseUrl: config.databaseUrl, kafka: config.kafka, logger, registry,
    schemas: [['eventstore', EVENT_STORE_MIGRATIONS], [AUDIT_SCHEMA, AUDIT_MIGRATIONS]],
  });
  await adapters.relay({ name: config.relayName, streamPrefixes: AUDIT_STREAM_PREFIXES, start: config.relayStart }).start();
  const fromBeginning = config.consumerStart === 'earliest';
  const parts = assembleAudit(config, { ...adapters, logger, eventServer: (groupId, transportId) => adapters.eventServer(groupId, transportId, fromBeginning) });
  return {
    ...parts,
    readiness: adapters.readiness,
    async close() {
      await parts.close();
      await adapters.close();
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
