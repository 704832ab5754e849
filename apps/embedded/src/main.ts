import 'reflect-metadata';
import { ConfigError, startTelemetry } from '@evalvault/platform';
import { loadEmbeddedOptions } from './config.js';
import { startEmbeddedPlatform } from './platform.js';

// `npm start`: the whole platform in this process until Ctrl-C.
const telemetry = startTelemetry('evalvault', { exportSpans: false });
// Async so a bad variable, thrown before the platform starts, ends the same way as a busy data directory.
const start = async () => startEmbeddedPlatform(loadEmbeddedOptions(process.env));
const platform = await start().catch(exitWithReason);
const keyNote = platform.adminKeyFile ? `kept in ${platform.adminKeyFile}` : 'from EVALVAULT_BOOTSTRAP_ADMIN_KEY';
// The key itself only on a terminal: captured output (CI logs, a service manager's journal) must not hold it.
const showKey = process.stderr.isTTY === true;
const keyForCurl = showKey
  ? platform.adminKey
  : platform.adminKeyFile
    ? `$(cat ${platform.adminKeyFile})`
    : '$EVALVAULT_BOOTSTRAP_ADMIN_KEY';
process.stderr.write(
  [
    '',
    `EvalVault is running at ${platform.url}  ` +
      `(data: ${platform.dataDir}; database: ${platform.database}; bus: ${platform.bus})`,
    `Admin API key of project "default" (${keyNote}):`,
    showKey ? `  ${platform.adminKey}` : '  (not printed: the output is not a terminal)',
    `Sign-in (OIDC, for evalvault login --oidc): ${platform.oidcIssuer}`,
    `  user admin, password in ${platform.adminPasswordFile}; a user signs in as subject local:<name>`,
    'Try:',
    `  curl -H "Authorization: Bearer ${keyForCurl}" ${platform.url}/v1/projects/default/runs`,
    'Ctrl-C stops it.',
    '',
  ].join('\n'),
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => {
      process.stderr.write('EvalVault did not stop within 15 s; exiting\n');
      process.exit(1);
    }, 15_000);
    force.unref();
    platform
      .stop()
      .then(() => telemetry.shutdown())
      .then(
        () => {
          process.stderr.write('EvalVault stopped.\n');
          process.exit(0);
        },
        (error: unknown) => {
          process.stderr.write(`EvalVault failed to stop cleanly: ${String(error)}\n`);
          process.exit(1);
        },
      );
  });
}

/**
 * The start failures a user causes and can fix — another process on the data directory or the
 * port, a bad variable — as one line saying what to do; anything else keeps its stack trace.
 */
function exitWithReason(error: unknown): never {
  const reason = reasonOf(error);
  if (!reason) throw error;
  process.stderr.write(`evalvault: ${reason}\n`);
  process.exit(1);
}

function reasonOf(error: unknown): string | undefined {
  if (error instanceof ConfigError) return error.message;
  const message = error instanceof Error ? error.message : '';
  // DataDirectory.open's lock: its own advice ("stop it…") names no process to stop.
  const busy = /^(data directory .* is in use by process (\d+));/.exec(message);
  if (busy)
    return `${busy[1]}; stop the other process (kill ${busy[2]}) or set EVALVAULT_DATA_DIR to another directory`;
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
    return `${message}; stop the other process or set PORT (and EVALVAULT_OIDC_PORT) to free ports`;
  return undefined;
}
