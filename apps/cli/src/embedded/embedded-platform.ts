import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { CliError } from '../errors.js';

/** What @evalvault/embedded's startEmbeddedPlatform resolves to. */
export interface EmbeddedPlatform {
  url: string;
  adminKey: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  quiet: boolean;
  logLevel?: 'error';
  env: Readonly<Record<string, string | undefined>>;
}

export interface EmbeddedModule {
  startEmbeddedPlatform(options: EmbeddedOptions): Promise<EmbeddedPlatform>;
}

export type EmbeddedLoader = () => Promise<EmbeddedModule>;

/** What the platform's worker thread (embedded-worker.ts) says to the CLI's thread. */
export type WorkerReport =
  | { type: 'started'; url: string; adminKey: string }
  | { type: 'failed'; message: string }
  | { type: 'stopped' }
  | { type: 'stop-failed'; message: string };

// A variable, not a literal: the CLI must build and run (against a server) without the package.
const EMBEDDED_PACKAGE = '@evalvault/embedded';

/** The embedded platform, if installed, started on a worker thread (workerEmbeddedModule). */
export const importEmbeddedModule: EmbeddedLoader = async () => {
  import.meta.resolve(EMBEDDED_PACKAGE); // throws when the package is not there
  return workerEmbeddedModule;
};

/**
 * The platform's young generation on its worker thread, in MB: V8's default (semi-spaces of up to
 * 16 MB or more) let the heap of a 10,000-case run grow by about 100 MB of garbage between
 * scavenges; 6 MB (semi-spaces of 2 MB) kept the CLI's peak RSS under 400 MB at no measurable CPU cost.
 */
const PLATFORM_YOUNG_GENERATION_MB = 6;

/**
 * Starts the platform on a worker thread of this process: it keeps its own heap, sized for a
 * long-lived server rather than for the CLI, and its work (scoring, PGlite) runs beside the CLI's
 * own (reading and uploading the dataset, following progress) on a second core. The CLI reaches
 * it over HTTP as before; stop asks the thread to stop the platform, then ends the thread.
 */
export const workerEmbeddedModule: EmbeddedModule = {
  async startEmbeddedPlatform(options) {
    const worker = new Worker(new URL('./embedded-worker.js', import.meta.url), {
      workerData: options,
      resourceLimits: { maxYoungGenerationSizeMb: PLATFORM_YOUNG_GENERATION_MB },
    });
    const next = (): Promise<WorkerReport> =>
      new Promise((resolve, reject) => {
        const onExit = (code: number) => reject(new Error(`the platform's thread exited (code ${code})`));
        const onMessage = (report: WorkerReport) => {
          worker.off('error', reject);
          worker.off('exit', onExit);
          resolve(report);
        };
        worker.once('error', reject);
        worker.once('exit', onExit);
        worker.once('message', onMessage);
      });
    const started = await next();
    if (started.type !== 'started') {
      await worker.terminate();
      throw new Error(started.type === 'failed' ? started.message : `the platform's thread said ${started.type}`);
    }
    return {
      url: started.url,
      adminKey: started.adminKey,
      stop: async () => {
        const stopped = next();
        worker.postMessage('stop');
        const report = await stopped.finally(() => worker.terminate());
        if (report.type === 'stop-failed') throw new Error(report.message);
      },
    };
  },
};

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
