import { loadServiceConfig, type Environment, type ServiceConfig } from '@evalvault/platform';

export const DEFAULT_PORT = 8081;

/** The only place this service reads its environment. */
export function loadConfig(env: Environment): ServiceConfig {
  return loadServiceConfig('runs', env, DEFAULT_PORT);
}
