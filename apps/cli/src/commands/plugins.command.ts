import { PLUGIN_API_VERSION } from '@evalvault/plugin-api';
import { listPlugins, loadPluginSettings, type PluginListing, type PluginSettings } from '@evalvault/service-runs';
import { parseCommand } from '../args.js';
import { CliError } from '../errors.js';
import { EXIT_ERROR } from '../exit-codes.js';
import { showHelp } from '../help.js';
import type { CliIo } from '../io.js';

/** `evalvault plugins list`: the plugins this environment configures, checked as the runs service checks them. */
export async function pluginsCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'list':
      return list(rest, io);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      return showHelp(io, 'plugins');
    default:
      throw new CliError('usage', `plugins: unknown command "${sub}" (list)`);
  }
}

/**
 * Each package EVALVAULT_PLUGINS names (relative to the current directory), with its version,
 * API range, checksum (what EVALVAULT_PLUGINS_APPROVED pins), approval and metrics, or why the
 * runs service would refuse to start with it: exit 2 then, so it serves as a pre-deploy check.
 */
async function list(argv: string[], io: CliIo): Promise<number> {
  const { values, help } = parseCommand(
    'plugins list',
    argv,
    { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    [],
  );
  if (help) return showHelp(io, 'plugins');
  let settings: PluginSettings;
  try {
    settings = loadPluginSettings(io.env);
  } catch (error) {
    throw new CliError('config', (error as Error).message);
  }
  const listings = await listPlugins(settings, io.cwd);
  if (values.json) io.stdout.write(`${JSON.stringify({ api: PLUGIN_API_VERSION, plugins: listings }, null, 2)}\n`);
  else io.stdout.write(describe(settings, listings));
  return listings.some((listing) => listing.problem !== null) ? EXIT_ERROR : 0;
}

function describe(settings: PluginSettings, listings: readonly PluginListing[]): string {
  const approval = settings.approvals
    ? `approval required (${settings.approvals.length} approved version${settings.approvals.length === 1 ? '' : 's'})`
    : 'approval not required';
  const lines = [`plugin API ${PLUGIN_API_VERSION}; ${approval}`];
  if (listings.length === 0) lines.push('no plugins configured (EVALVAULT_PLUGINS is empty)');
  for (const plugin of listings) {
    const name = plugin.name ? `${plugin.name}@${plugin.version}` : plugin.entry;
    lines.push('', `${name}  api ${plugin.api ?? '?'}  ${plugin.approval}`, `  from      ${plugin.entry}`);
    if (plugin.checksum) lines.push(`  checksum  ${plugin.checksum}`);
    for (const metric of plugin.metrics)
      lines.push(`  metric    ${metric.name} (${metric.kind}): ${metric.description}`);
    if (plugin.problem) lines.push(`  REFUSED   ${plugin.problem}`);
  }
  return `${lines.join('\n')}\n`;
}
