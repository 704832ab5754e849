import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from '../errors.js';

/** What @evalvault/embedded's startEmbeddedPlatform resolves to. */
export interface EmbeddedPlatform {
  url: string;
  adminKey: string;
  stop(): Promise<void>;
}

export interface EmbeddedModule {
  startEmbeddedPlatform(options: {
    dataDir: string;
    port: number;
    quiet: boolean;
    logLevel?: 'error';
    env: Readonly<Record<string, string | undefined>>;
  }): Promise<EmbeddedPlatform>;
}

export type EmbeddedLoader = () => Promise<EmbeddedModule>;

// A variable, not a literal: the CLI must build and run (against a server) without the package.
const EMBEDDED_PACKAGE = '@evalvault/embedded';

export const importEmbeddedModule: EmbeddedLoader = async () => (await import(EMBEDDED_PACKAGE)) as EmbeddedModule;

/**
 * Starts the whole platform inside this process on a free port. Without EVALVAULT_DATA_DIR
 * its data lives in a temporary directory removed on stop, so a CI run leaves nothing behind.
 * The services read their settings (judge, limits, …) from the same environment as a server would.
 */
export async function startEmbedded(
  load: EmbeddedLoader,
  env: Readonly<Record<string, string | undefined>>,
): Promise<EmbeddedPlatform> {
  const dataDirFromEnv = env['EVALVAULT_DATA_DIR'];
  let module: EmbeddedModule;
  try {
    module = await load();
    if (typeof module.startEmbeddedPlatform !== 'function') throw new Error('it has no startEmbeddedPlatform');
  } catch (error) {
    throw new CliError(
      'embedded',
      'no server is configured and the embedded platform is not available ' +
        `(@evalvault/embedded: ${firstLine(error)}); set EVALVAULT_URL and EVALVAULT_API_KEY, or run "evalvault login"`,
    );
  }
  const dataDir = dataDirFromEnv || (await mkdtemp(join(tmpdir(), 'evalvault-')));
  const temporary = !dataDirFromEnv;
  let platform: EmbeddedPlatform;
  try {
    // Errors only: the platform logs to stdout, which holds this command's results (a table, JSON).
    platform = await module.startEmbeddedPlatform({ dataDir, port: 0, quiet: true, logLevel: 'error', env });
  } catch (error) {
    if (temporary) await rm(dataDir, { recursive: true, force: true });
    throw new CliError('embedded', `the embedded platform did not start: ${firstLine(error)}`);
  }
  return {
    url: platform.url,
    adminKey: platform.adminKey,
    stop: async () => {
      try {
        await platform.stop();
      } finally {
        if (temporary) await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}

const firstLine = (error: unknown): string => String((error as Error)?.message ?? error).split('\n')[0]!;
