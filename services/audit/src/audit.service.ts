import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { defineOwnerService, type OwnerAdapters } from '@evalvault/platform';
import type { AuditOperations, AuditStreams } from '@evalvault/service-apis';
import { auditOperationHandlers, auditStreamHandlers } from './api/audit-internal-api.js';
import { AUDIT_LOG } from './audit.consumers.js';
import { AuditModule } from './audit.module.js';
import { loadConfig, type AuditConfig } from './config.js';
import { AUDIT_STREAM_PREFIXES, ForgetSubject } from './forget/forget-subject.js';
import { AUDIT_MIGRATIONS, AUDIT_SCHEMA } from './migrations/audit.migrations.js';
import { AuditProjection } from './log/audit.projection.js';
import { sqlOfPg } from './log/sql.js';
import { AuditQueries } from './query/audit.queries.js';
import { AuditRetention } from './retention/audit-retention.js';
import { SubjectKeys } from './subjects/subject-keys.js';
import { AuditReplay } from './verify/audit-replay.js';
import { verifyAllChains } from './verify/chain-verification.js';
import { countReplays, replayMetrics } from './verify/replay-metrics.js';

/** What the audit log's event handler and internal API use. */
export interface AuditParts {
  projection: AuditProjection;
  queries: AuditQueries;
  replay: AuditReplay;
  retention: AuditRetention;
  forget: ForgetSubject;
}

/**
 * The audit service's parts from its adapters. `now` is the clock of retention changes and of
 * the events the parts append (Date.now; a test composing the parts itself may move it).
 */
export function composeAuditParts(
  adapters: Pick<OwnerAdapters, 'pool' | 'dataSource' | 'store'>,
  options: { shorteningDelayMs: number; replayPendingGraceMs?: number; now?: () => number },
): AuditParts {
  const { pool, dataSource, store } = adapters;
  const sources = { now: options.now ?? Date.now, newId: randomUUID };
  return {
    projection: new AuditProjection(dataSource),
    queries: new AuditQueries(pool),
    replay: new AuditReplay(pool, store, undefined, options.replayPendingGraceMs ?? 0),
    retention: new AuditRetention(pool, { store, sources, shorteningDelayMs: options.shorteningDelayMs }),
    forget: new ForgetSubject(store, new SubjectKeys(sqlOfPg(pool)), sources),
  };
}

/**
 * The audit service: one consumer group over every topic (the hash-chained log), its own
 * SubjectForgotten and AuditRetentionChanged streams, replay against the event store, export,
 * and a retention timer.
 */
export const AUDIT_SERVICE = defineOwnerService<AuditConfig, AuditOperations, AuditStreams, AuditParts>({
  name: 'audit',
  streams: AUDIT_STREAM_PREFIXES,
  migrations: [[AUDIT_SCHEMA, AUDIT_MIGRATIONS]],
  config: loadConfig,
  async compose(config, adapters) {
    const { logger } = adapters;
    const parts = composeAuditParts(adapters, {
      shorteningDelayMs: config.retentionShorteningDelayMs,
      replayPendingGraceMs: config.replayPendingGraceMs,
    });
    countReplays(parts.replay, replayMetrics(adapters.registry));
    const timer =
      config.retentionIntervalMs > 0
        ? setInterval(() => purge(parts.retention, logger), config.retentionIntervalMs)
        : null;
    timer?.unref();
    const verifier =
      config.verifyIntervalMs > 0
        ? setInterval(() => verify(adapters.pool, parts.replay, logger), config.verifyIntervalMs)
        : null;
    verifier?.unref();
    return {
      module: AuditModule.with(parts),
      consumers: [adapters.eventServer(config.groupId, AUDIT_LOG)],
      internalApi: {
        operations: auditOperationHandlers({ ...parts, newId: randomUUID }),
        streams: auditStreamHandlers(parts.queries),
      },
      readiness: [],
      close: async () => {
        if (timer) clearInterval(timer);
        if (verifier) clearInterval(verifier);
      },
      exports: parts,
    };
  },
});

/** A verification that cannot reach the database (a restart) is logged; unheard, it would end the process. */
function verify(pool: OwnerAdapters['pool'], replay: AuditParts['replay'], logger: Logger): void {
  verifyAllChains(pool, replay, logger).catch((error: unknown) =>
    logger.warn({ err: error }, 'audit chains not verified (database unreachable?); next interval'),
  );
}

function purge(retention: AuditRetention, logger: Logger): void {
  retention.purgeAll(Date.now()).then(
    (purged) => {
      if (purged > 0) logger.info({ purged }, 'audit retention purged entries');
    },
    (error: unknown) => logger.error({ err: error }, 'audit retention failed'),
  );
}
