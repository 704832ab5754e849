import { ConfigError, readList, readPositiveInt, type Environment } from '@evalvault/platform';
import { parseApproval, type PluginApproval } from './plugin-checks.js';

/** Which plugin packages the runs service loads, which versions are approved, and their limits. */
export interface PluginSettings {
  /** EVALVAULT_PLUGINS: package names (from node_modules) or paths to package directories. */
  packages: readonly string[];
  /**
   * EVALVAULT_PLUGINS_APPROVED: `name@version=sha256:<hex>` entries; null: approval not required.
   * Required whenever the list is set, or by EVALVAULT_PLUGINS_REQUIRE_APPROVAL=true (then an empty list
   * refuses every plugin).
   */
  approvals: readonly PluginApproval[] | null;
  /** EVALVAULT_PLUGIN_CASE_TIMEOUT_MS: longest one plugin metric may compute one case (judge waits not counted). */
  caseTimeoutMs: number;
  /** EVALVAULT_PLUGIN_MEMORY_MB: heap limit of each plugin thread. */
  memoryMb: number;
  /** EVALVAULT_PLUGIN_LOAD_TIMEOUT_MS: longest a plugin's module may take to load. */
  loadTimeoutMs: number;
}

export function loadPluginSettings(env: Environment): PluginSettings {
  const packages = readList(env, 'EVALVAULT_PLUGINS');
  const duplicate = packages.find((entry, index) => packages.indexOf(entry) !== index);
  if (duplicate) throw new ConfigError('EVALVAULT_PLUGINS', `names "${duplicate}" twice`);
  const required = env['EVALVAULT_PLUGINS_REQUIRE_APPROVAL'];
  if (required !== undefined && required !== '' && required !== 'true' && required !== 'false')
    throw new ConfigError('EVALVAULT_PLUGINS_REQUIRE_APPROVAL', `must be true or false, got "${required}"`);
  const listed = readList(env, 'EVALVAULT_PLUGINS_APPROVED').map((entry) => {
    try {
      return parseApproval(entry);
    } catch (error) {
      throw new ConfigError('EVALVAULT_PLUGINS_APPROVED', (error as Error).message);
    }
  });
  const requireApproval = required === 'true' || (required !== 'false' && listed.length > 0);
  return {
    packages,
    approvals: requireApproval ? listed : null,
    caseTimeoutMs: readPositiveInt(env, 'EVALVAULT_PLUGIN_CASE_TIMEOUT_MS', 10_000),
    memoryMb: readPositiveInt(env, 'EVALVAULT_PLUGIN_MEMORY_MB', 128),
    loadTimeoutMs: readPositiveInt(env, 'EVALVAULT_PLUGIN_LOAD_TIMEOUT_MS', 10_000),
  };
}
