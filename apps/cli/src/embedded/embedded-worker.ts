import { parentPort, workerData } from 'node:worker_threads';
import type { EmbeddedModule, EmbeddedOptions, EmbeddedPlatform, WorkerReport } from './embedded-platform.js';

// A variable, not a literal: the CLI must build and run (against a server) without the package.
const EMBEDDED_PACKAGE = '@evalvault/embedded';

/**
 * The embedded platform on a thread of its own (see workerEmbeddedModule): started from the
 * options it was given, stopped when the CLI's thread asks, reporting each step.
 */
const port = parentPort!;
const report = (message: WorkerReport): void => port.postMessage(message);
const reason = (error: unknown): string => String((error as Error)?.message ?? error);

let platform: EmbeddedPlatform | undefined;
try {
  const module = (await import(EMBEDDED_PACKAGE)) as EmbeddedModule;
  platform = await module.startEmbeddedPlatform(workerData as EmbeddedOptions);
  report({ type: 'started', url: platform.url, adminKey: platform.adminKey });
} catch (error) {
  report({ type: 'failed', message: reason(error) });
}
port.on('message', (message: unknown) => {
  if (message !== 'stop') return;
  (platform?.stop() ?? Promise.resolve()).then(
    () => report({ type: 'stopped' }),
    (error: unknown) => report({ type: 'stop-failed', message: reason(error) }),
  );
});
