import { listPlugins, loadPluginSettings } from '@evalvault/service-runs';
import { CliError } from '../errors.js';
import type { Environment } from '../io.js';
import type { PluginMetricKinds } from './judge-preflight.js';

/**
 * The metrics of the plugins this environment enables (EVALVAULT_PLUGINS), with their kinds, so that
 * `run` knows them as the embedded platform (started with this environment) or a server configured
 * alike will; a plugin that would be refused stops the command here, saying why.
 */
export async function localPluginMetrics(env: Environment, cwd: string): Promise<PluginMetricKinds> {
  if (!env['EVALVAULT_PLUGINS']) return new Map();
  let listings;
  try {
    listings = await listPlugins(loadPluginSettings(env), cwd);
  } catch (error) {
    throw new CliError('config', (error as Error).message);
  }
  const refused = listings.find((listing) => listing.problem !== null);
  if (refused) throw new CliError('config', `EVALVAULT_PLUGINS: ${refused.problem}`);
  return new Map(listings.flatMap((listing) => listing.metrics.map((metric) => [metric.name, metric.kind] as const)));
}
