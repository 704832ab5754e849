import {
  ConfigError,
  loadEventStoreSettings,
  loadKafkaSettings,
  loadServiceConfig,
  parseAddressRanges,
  readChoice,
  readList,
  readPositiveInt,
  type Environment,
  type EventStoreSettings,
  type KafkaSettings,
  type ServiceConfig,
} from '@evalvault/platform';

export const DEFAULT_PORT = 8085;

/** How deliveries are paced and when they give up. */
export interface DeliveryConfig {
  /** Attempts before a notification is NotificationFailed and dead-lettered. */
  maxAttempts: number;
  /** Each HTTP request to a destination is aborted after this long. */
  timeoutMs: number;
  /** Exponential backoff with jitter between attempts: first delay, and its cap. */
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** A destination's Retry-After is honoured up to this long. */
  maxRetryAfterMs: number;
  /** How long a worker owns a notification it claimed; another worker takes it over after that (a crashed one). */
  leaseMs: number;
  /** How often the worker looks for due notifications, and how many it delivers at once. */
  pollMs: number;
  concurrency: number;
  /** Consecutive failures that open a destination's circuit, and how long it stays open. */
  breakerThreshold: number;
  breakerCooldownMs: number;
}

export interface NotifierConfig extends ServiceConfig {
  databaseUrl: string;
  /** Where its streams are kept: EVENT_STORE (postgres, eventstoredb) and EVENTSTOREDB_URL. */
  eventStore: EventStoreSettings;
  kafka: KafkaSettings;
  /** Hosts destinations may be on (EVALVAULT_EGRESS_ALLOW); everything else is refused. */
  egressAllow: string[];
  /**
   * Private, loopback and link-local addresses (CIDRs or exact addresses, EVALVAULT_EGRESS_ALLOW_PRIVATE) an allowed
   * host NAME may resolve to; empty (the default): a name resolving to any of them is refused (platform egress.ts).
   */
  egressAllowPrivate: string[];
  /**
   * Where a secret reference may point (prefixes of env:NAME / file:/dir/), so a route cannot send other secrets
   * out; within them, a route's secrets are further scoped to its tenant, project and destination kind
   * (routes/secret-scope.ts).
   */
  secretRefPrefixes: string[];
  /** EVALVAULT_PUBLIC_URL: links in messages point under it; null: the gateway's address (see dispatch/run-link.ts). */
  publicUrl: string | null;
  /** The secret (env:NAME or file:/path) internal identities are signed with; null: no internal API. */
  internalSecretRef: string | null;
  /**
   * Where a new dispatch group starts on the gates and runs topics; `latest`: a new notifier never pages for
   * old failures.
   */
  consumerStart: 'earliest' | 'latest';
  /** Consumer groups are `<prefix>-dispatch` and `<prefix>-read-model`. */
  groupPrefix: string;
  relayName: string;
  relayStart: 'earliest' | 'latest';
  delivery: DeliveryConfig;
}

function deliveryConfig(env: Environment): DeliveryConfig {
  const config: DeliveryConfig = {
    maxAttempts: readPositiveInt(env, 'NOTIFIER_MAX_ATTEMPTS', 6),
    timeoutMs: readPositiveInt(env, 'NOTIFIER_HTTP_TIMEOUT_MS', 5_000),
    initialBackoffMs: readPositiveInt(env, 'NOTIFIER_BACKOFF_INITIAL_MS', 1_000),
    maxBackoffMs: readPositiveInt(env, 'NOTIFIER_BACKOFF_MAX_MS', 300_000),
    maxRetryAfterMs: readPositiveInt(env, 'NOTIFIER_RETRY_AFTER_MAX_MS', 3_600_000),
    leaseMs: readPositiveInt(env, 'NOTIFIER_LEASE_MS', 30_000),
    pollMs: readPositiveInt(env, 'NOTIFIER_POLL_MS', 250),
    concurrency: readPositiveInt(env, 'NOTIFIER_CONCURRENCY', 4),
    breakerThreshold: readPositiveInt(env, 'NOTIFIER_BREAKER_THRESHOLD', 5),
    breakerCooldownMs: readPositiveInt(env, 'NOTIFIER_BREAKER_COOLDOWN_MS', 30_000),
  };
  // A Jira delivery makes two requests (search, then create): the lease must outlast both.
  if (config.leaseMs < 3 * config.timeoutMs) {
    throw new ConfigError(
      'NOTIFIER_LEASE_MS',
      `must be at least 3 × NOTIFIER_HTTP_TIMEOUT_MS (${3 * config.timeoutMs}), got ${config.leaseMs}`,
    );
  }
  return config;
}

function egressAllowPrivate(env: Environment): string[] {
  const entries = readList(env, 'EVALVAULT_EGRESS_ALLOW_PRIVATE');
  try {
    parseAddressRanges(entries);
  } catch (error) {
    throw new ConfigError('EVALVAULT_EGRESS_ALLOW_PRIVATE', (error as Error).message);
  }
  return entries;
}

function publicUrl(env: Environment): string | null {
  const raw = env['EVALVAULT_PUBLIC_URL'];
  if (!raw) return null;
  try {
    return new URL(raw).toString().replace(/\/$/, '');
  } catch {
    throw new ConfigError('EVALVAULT_PUBLIC_URL', `must be an absolute URL, got "${raw}"`);
  }
}

/** The only place this service reads its environment. */
export function loadConfig(env: Environment): NotifierConfig {
  const prefixes = readList(env, 'NOTIFIER_SECRET_REF_PREFIXES');
  return {
    ...loadServiceConfig('notifier', env, DEFAULT_PORT),
    databaseUrl: env['DATABASE_URL'] || 'postgres://evalvault_notifier@127.0.0.1:5432/evalvault',
    kafka: loadKafkaSettings(env, 'evalvault-notifier'),
    eventStore: loadEventStoreSettings(env),
    egressAllow: readList(env, 'EVALVAULT_EGRESS_ALLOW').map((host) => host.toLowerCase()),
    egressAllowPrivate: egressAllowPrivate(env),
    secretRefPrefixes: prefixes.length > 0 ? prefixes : ['env:EVALVAULT_SECRET_', 'file:/run/secrets/'],
    publicUrl: publicUrl(env),
    internalSecretRef: env['EVALVAULT_INTERNAL_SECRET_REF'] || null,
    consumerStart: readChoice(env, 'NOTIFIER_CONSUMER_START', ['earliest', 'latest'] as const, 'latest'),
    groupPrefix: env['NOTIFIER_GROUP_PREFIX'] || 'notifier',
    relayName: env['NOTIFIER_RELAY_NAME'] || 'notifier',
    relayStart: readChoice(env, 'NOTIFIER_RELAY_START', ['earliest', 'latest'] as const, 'earliest'),
    delivery: deliveryConfig(env),
  };
}
