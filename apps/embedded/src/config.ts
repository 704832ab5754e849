import { ConfigError, readList, readPort, type Environment, type LogLevel, LOG_LEVELS } from '@evalvault/platform';
import type { EmbeddedOptions } from './platform.js';

/** The only place `npm start` reads its environment (ARCHITECTURE §8 conventions). */
export function loadEmbeddedOptions(env: Environment): EmbeddedOptions {
  const logLevel = env['LOG_LEVEL'] || 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel))
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  const brokers = readList(env, 'KAFKA_BROKERS');
  return {
    port: readPort(env, 'PORT', 8080),
    ...(env['EVALVAULT_OIDC_PORT'] ? { oidcPort: readPort(env, 'EVALVAULT_OIDC_PORT', 0) } : {}),
    host: env['HOST'] || '127.0.0.1',
    dataDir: env['EVALVAULT_DATA_DIR'] || '.evalvault',
    logLevel: logLevel as LogLevel,
    ...(env['EVALVAULT_BOOTSTRAP_ADMIN_KEY'] ? { bootstrapAdminKey: env['EVALVAULT_BOOTSTRAP_ADMIN_KEY'] } : {}),
    ...(env['DATABASE_URL'] ? { databaseUrl: env['DATABASE_URL'] } : {}),
    ...(brokers.length > 0 ? { kafkaBrokers: brokers } : {}),
    env,
  };
}
