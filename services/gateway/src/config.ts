import { loadServiceConfig, type Environment, type ServiceConfig } from '@evalvault/platform';

export const DEFAULT_PORT = 8080;

/** The only place this service reads its environment. */
export function loadConfig(env: Environment): ServiceConfig {
  return loadServiceConfig('gateway', env, DEFAULT_PORT);
}
