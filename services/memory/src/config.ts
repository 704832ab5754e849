import {
  loadEventStoreSettings,
  loadKafkaSettings,
  loadServiceConfig,
  readChoice,
  type Environment,
  type OwnerServiceConfig,
} from '@evalvault/platform';

export const DEFAULT_PORT = 8083;

export type MemoryConfig = OwnerServiceConfig;

/** The only place this service reads its environment. */
export function loadConfig(env: Environment): MemoryConfig {
  return {
    ...loadServiceConfig('memory', env, DEFAULT_PORT),
    databaseUrl: env['DATABASE_URL'] || 'postgres://evalvault@127.0.0.1:5432/evalvault',
    kafka: loadKafkaSettings(env, 'evalvault-memory'),
    eventStore: loadEventStoreSettings(env),
    internalSecretRef: env['EVALVAULT_INTERNAL_SECRET_REF'] || null,
    relayName: env['MEMORY_RELAY_NAME'] || 'memory',
    relayStart: readChoice(env, 'MEMORY_RELAY_START', ['earliest', 'latest'] as const, 'earliest'),
    consumerStart: readChoice(env, 'MEMORY_CONSUMER_START', ['earliest', 'latest'] as const, 'earliest'),
  };
}
