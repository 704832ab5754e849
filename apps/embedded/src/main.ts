import 'reflect-metadata';
import { ConfigError, loadTraceExport, startTelemetry } from '@evalvault/platform';
import { instrumentLibraries } from '@evalvault/platform/instrumentation';
import { loadEmbeddedOptions } from './config.js';
import { startEmbeddedPlatform, type EmbeddedOptions } from './platform.js';

// `npm start`: the whole platform in this process until Ctrl-C. With spans exported, fetch calls are
// traced (undici's diagnostics channel); node:http is loaded already, so the notifier's calls are not.
await instrumentLibraries(process.env);
const traceExport = loadTraceExport('evalvault', process.env);
const telemetry = startTelemetry(traceExport?.serviceName ?? 'evalvault', { exportSpans: traceExport !== undefined });
let options: EmbeddedOptions | undefined;
// Async so a bad variable, thrown before the platform starts, ends the same way as a busy data directory.
const start = async () => startEmbeddedPlatform((options = loadEmbeddedOptions(process.env)));
// Resolves once the gateway listens and the bus runs: a request right after the banner is answered.
const platform = await start().catch(exitWithReason);
const keyNote = platform.adminKeyFile ? `kept in ${platform.adminKeyFile}` : 'from EVALVAULT_BOOTSTRAP_ADMIN_KEY';
// The key itself once, and only when both outputs are a terminal: captured output (`npm start > log`, CI logs,
// a service manager's journal) must not hold it. The example reads it from where it is kept.
const showKey = process.stderr.isTTY === true && process.stdout.isTTY === true;
const keyForCurl = platform.adminKeyFile ? `$(cat ${platform.adminKeyFile})` : '$EVALVAULT_BOOTSTRAP_ADMIN_KEY';
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
  const reason = reasonOf(error, options);
  if (!reason) throw error;
  process.stderr.write(`evalvault: ${reason}\n`);
  process.exit(1);
}

function reasonOf(error: unknown, chosen: EmbeddedOptions | undefined): string | undefined {
  if (error instanceof ConfigError) return error.message;
  const message = error instanceof Error ? error.message : '';
  // DataDirectory.open's lock: its own advice ("stop it…") names no process to stop.
  const busy = /^(data directory .* is in use by process (\d+));/.exec(message);
  if (busy)
    return `${busy[1]}; stop the other process (kill ${busy[2]}) or set EVALVAULT_DATA_DIR to another directory`;
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') return portInUse(error as { port?: number }, chosen);
  return undefined;
}

/** Which of the two ports is taken, and the variable that moves it. */
function portInUse({ port }: { port?: number }, chosen: EmbeddedOptions | undefined): string {
  const gatewayPort = chosen?.port ?? 8080;
  const oidcPort = chosen?.oidcPort ?? (gatewayPort === 0 ? 0 : gatewayPort + 10);
  if (port === oidcPort && port !== gatewayPort) {
    const why = chosen?.oidcPort === undefined ? `PORT + 10 unless EVALVAULT_OIDC_PORT is set` : 'EVALVAULT_OIDC_PORT';
    const fix = 'stop the other process or set EVALVAULT_OIDC_PORT to a free port (0: any free port)';
    return `port ${port} of the local sign-in (OIDC; ${why}) is in use; ${fix}`;
  }
  const fix = 'stop the other process or set PORT to a free port';
  return `port ${port ?? gatewayPort} of the gateway (PORT) is in use; ${fix}`;
}
