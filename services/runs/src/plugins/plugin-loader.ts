import { METRIC_NAMES } from '@evalvault/evaluation';
import { ConfigError } from '@evalvault/platform';
import { PLUGIN_API_VERSION } from '@evalvault/plugin-api';
import { assertApiCompatible, assertApproved, assertNoCollisions } from './plugin-checks.js';
import { PluginHost } from './plugin-host.js';
import { readPluginPackage, type PluginPackage } from './plugin-package.adapter.js';
import type { PluginSettings } from './plugin-settings.js';
import { PluginError } from './plugin.errors.js';

/**
 * Every configured plugin, checked in this order so that no unapproved or incompatible code ever
 * runs: found, manifest read, API range admits ours, approved (when required); then its module is
 * loaded in a thread and its metric names are checked against the built-ins and each other.
 * The first refusal closes what was started and is thrown: the service does not start.
 */
export async function loadPlugins(settings: PluginSettings, threads: number, cwd: string): Promise<PluginHost[]> {
  const hosts: PluginHost[] = [];
  try {
    for (const entry of settings.packages) {
      const plugin = await checkedPackage(entry, settings, cwd);
      hosts.push(await PluginHost.start(plugin, { ...settings, threads }));
    }
    assertNoCollisions(
      hosts.map((host) => ({ label: host.label, metrics: host.metrics.map((metric) => metric.name) })),
      METRIC_NAMES,
    );
    return hosts;
  } catch (error) {
    await Promise.all(hosts.map((host) => host.close()));
    throw error;
  }
}

/**
 * loadPlugins for the service's start: a refusal is a configuration error of EVALVAULT_PLUGINS, which
 * the platform reports in one line (its code kept in the message) rather than as a crash.
 */
export async function loadPluginsAtStart(
  settings: PluginSettings,
  threads: number,
  cwd: string,
): Promise<PluginHost[]> {
  try {
    return await loadPlugins(settings, threads, cwd);
  } catch (error) {
    if (error instanceof PluginError) throw new ConfigError('EVALVAULT_PLUGINS', `refused: ${error.message}`);
    throw error;
  }
}

export async function checkedPackage(entry: string, settings: PluginSettings, cwd: string): Promise<PluginPackage> {
  const plugin = await readPluginPackage(entry, cwd);
  assertApiCompatible(plugin.manifest, PLUGIN_API_VERSION);
  if (settings.approvals) assertApproved({ ...plugin.manifest, checksum: plugin.checksum }, settings.approvals);
  return plugin;
}

/** One configured plugin as `evalvault plugins list` shows it: what was found, and why it would be refused. */
export interface PluginListing {
  entry: string;
  name: string | null;
  version: string | null;
  api: string | null;
  checksum: string | null;
  approval: 'approved' | 'not required' | 'not approved';
  metrics: { name: string; kind: string; description: string }[];
  /** Why the runs service would refuse to start with it; null: it would load. */
  problem: string | null;
}

/** Each configured plugin checked on its own (loaded in a thread, then stopped), for listings. */
export async function listPlugins(settings: PluginSettings, cwd: string): Promise<PluginListing[]> {
  const listings: PluginListing[] = [];
  for (const entry of settings.packages) {
    const listing: PluginListing = {
      entry,
      ...{ name: null, version: null, api: null, checksum: null },
      approval: settings.approvals ? 'not approved' : 'not required',
      metrics: [],
      problem: null,
    };
    try {
      const found = await readPluginPackage(entry, cwd);
      Object.assign(listing, { ...found.manifest, checksum: found.checksum });
      const plugin = await checkedPackage(entry, settings, cwd);
      if (settings.approvals) listing.approval = 'approved';
      const host = await PluginHost.start(plugin, { ...settings, threads: 1 });
      listing.metrics = host.metrics.map(({ name, kind, description }) => ({ name, kind, description }));
      await host.close();
    } catch (error) {
      listing.problem = (error as Error).message;
    }
    listings.push(listing);
  }
  try {
    assertNoCollisions(
      listings.map((l) => ({ label: `${l.name}@${l.version}`, metrics: l.metrics.map((m) => m.name) })),
      METRIC_NAMES,
    );
  } catch (error) {
    const { message } = error as Error;
    for (const listing of listings)
      if (message.includes(`${listing.name}@${listing.version}`)) listing.problem ??= message;
  }
  return listings;
}
