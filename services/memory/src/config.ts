import {
  loadEventStoreSettings,
  loadKafkaSettings,
  loadServiceConfig,
  readChoice,
  readPositiveInt,
  type Environment,
  type OwnerServiceConfig,
} from '@evalvault/platform';

export const DEFAULT_PORT = 8083;
/** How often the maintenance scheduler looks for projects whose pass is due (intervals: each project's policy). */
export const DEFAULT_MAINTENANCE_TICK_MS = 60_000;

export interface MemoryConfig extends OwnerServiceConfig {
  /** Consumer groups are `<prefix>-read-model` and `<prefix>-formation`. */
  groupPrefix: string;
  /** MEMORY_MAINTENANCE_TICK_MS; 0 turns the scheduled maintenance off (on demand only). */
  maintenanceTickMs: number;
}

/** The only place this service reads its environment. */
export function loadConfig(env: Environment): MemoryConfig {
  const tick = env['MEMORY_MAINTENANCE_TICK_MS'];
  return {
    ...loadServiceConfig('memory', env, DEFAULT_PORT),
    databaseUrl: env['DATABASE_URL'] || 'postgres://evalvault@127.0.0.1:5432/evalvault',
    kafka: loadKafkaSettings(env, 'evalvault-memory'),
    eventStore: loadEventStoreSettings(env),
    internalSecretRef: env['EVALVAULT_INTERNAL_SECRET_REF'] || null,
    relayName: env['MEMORY_RELAY_NAME'] || 'memory',
    relayStart: readChoice(env, 'MEMORY_RELAY_START', ['earliest', 'latest'] as const, 'earliest'),
    consumerStart: readChoice(env, 'MEMORY_CONSUMER_START', ['earliest', 'latest'] as const, 'earliest'),
    groupPrefix: env['MEMORY_GROUP_PREFIX'] || 'memory',
    maintenanceTickMs:
      tick === '0' ? 0 : readPositiveInt(env, 'MEMORY_MAINTENANCE_TICK_MS', DEFAULT_MAINTENANCE_TICK_MS),
  };
}
