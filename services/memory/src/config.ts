import { loadServiceConfig, type Environment, type ServiceConfig } from '@evalvault/platform';

export const DEFAULT_PORT = 8083;

/** The only place this service reads its environment. */
export function loadConfig(env: Environment): ServiceConfig {
  return loadServiceConfig('memory', env, DEFAULT_PORT);
}
