import {
  ConfigError,
  loadEventStoreSettings,
  loadKafkaSettings,
  loadServiceConfig,
  readChoice,
  type Environment,
  type EventStoreSettings,
  type KafkaSettings,
  type ServiceConfig,
} from '@evalvault/platform';

export const DEFAULT_PORT = 8084;

export interface AuditConfig extends ServiceConfig {
  databaseUrl: string;
  kafka: KafkaSettings;
  /** Where its streams are kept: EVENT_STORE (postgres, eventstoredb) and EVENTSTOREDB_URL. */
  eventStore: EventStoreSettings;
  /** The audit log's consumer group; every topic, every event type. */
  groupId: string;
  /** Where a new consumer group starts: `earliest` (default: the whole retained history) or `latest`. */
  consumerStart: 'earliest' | 'latest';
  /**
   * The relay of the audit service's own streams (SubjectForgotten, AuditRetentionChanged): checkpoint name
   * and where a new one starts.
   */
  relayName: string;
  relayStart: 'earliest' | 'latest';
  /** The secret (env:NAME or file:/path) internal identities are signed with; null: no internal API. */
  internalSecretRef: string | null;
  /** How often retention purges run; 0: never (purges only on demand). */
  retentionIntervalMs: number;
  /**
   * How long a shortening of a tenant's retention waits before purges use it (meanwhile they keep
   * the longer one, and an audit-admin can cancel it): AUDIT_RETENTION_SHORTENING_DELAY_HOURS.
   */
  retentionShorteningDelayMs: number;
  /** How young an event without an entry may be and count as pending in a replay (AUDIT_REPLAY_PENDING_GRACE_MS). */
  replayPendingGraceMs: number;
  /** How often every tenant's chain is replayed and verified (AUDIT_VERIFY_INTERVAL_MS); 0: never. */
  verifyIntervalMs: number;
}

export const DEFAULT_RETENTION_SHORTENING_DELAY_HOURS = 72;
const HOUR_MS = 60 * 60 * 1000;

/** A timer's interval: setInterval takes at most 2^31 − 1 ms (about 24.8 days) and fires at once beyond. */
function timerInterval(env: Environment, variable: string, fallback: number): number {
  const value = wholeNumber(env, variable, fallback);
  if (value > 2 ** 31 - 1) throw new ConfigError(variable, `must be at most ${2 ** 31 - 1} ms (about 24.8 days)`);
  return value;
}

function wholeNumber(env: Environment, variable: string, fallback: number): number {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new ConfigError(variable, `must be a whole number >= 0, got "${raw}"`);
  return value;
}

/** The only place this service reads its environment. */
export function loadConfig(env: Environment): AuditConfig {
  return {
    ...loadServiceConfig('audit', env, DEFAULT_PORT),
    databaseUrl: env['DATABASE_URL'] || 'postgres://evalvault_audit@127.0.0.1:5432/evalvault',
    kafka: loadKafkaSettings(env, 'evalvault-audit'),
    eventStore: loadEventStoreSettings(env),
    groupId: env['AUDIT_GROUP_ID'] || 'audit-log',
    consumerStart: readChoice(env, 'AUDIT_CONSUMER_START', ['earliest', 'latest'] as const, 'earliest'),
    relayName: env['AUDIT_RELAY_NAME'] || 'audit',
    relayStart: readChoice(env, 'AUDIT_RELAY_START', ['earliest', 'latest'] as const, 'earliest'),
    internalSecretRef: env['EVALVAULT_INTERNAL_SECRET_REF'] || null,
    retentionIntervalMs: wholeNumber(env, 'AUDIT_RETENTION_INTERVAL_MS', 60 * 60 * 1000),
    retentionShorteningDelayMs:
      wholeNumber(env, 'AUDIT_RETENTION_SHORTENING_DELAY_HOURS', DEFAULT_RETENTION_SHORTENING_DELAY_HOURS) * HOUR_MS,
    replayPendingGraceMs: wholeNumber(env, 'AUDIT_REPLAY_PENDING_GRACE_MS', 60_000),
    verifyIntervalMs: timerInterval(env, 'AUDIT_VERIFY_INTERVAL_MS', 24 * HOUR_MS),
  };
}
