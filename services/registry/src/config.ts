import { loadServiceConfig, type Environment, type ServiceConfig } from '@evalvault/platform';

export const DEFAULT_PORT = 8082;

/** The only place this service reads its environment. */
export function loadConfig(env: Environment): ServiceConfig {
  return loadServiceConfig('registry', env, DEFAULT_PORT);
}
