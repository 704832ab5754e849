import 'reflect-metadata';
import { startTelemetry } from '@evalvault/platform';
import { loadEmbeddedOptions } from './config.js';
import { startEmbeddedPlatform } from './platform.js';

// `npm start`: the whole platform in this process until Ctrl-C.
const telemetry = startTelemetry('evalvault', { exportSpans: false });
const platform = await startEmbeddedPlatform(loadEmbeddedOptions(process.env));
const keyNote = platform.adminKeyFile ? `kept in ${platform.adminKeyFile}` : 'from EVALVAULT_BOOTSTRAP_ADMIN_KEY';
process.stderr.write([
  '',
  `EvalVault is running at ${platform.url}  (data: ${platform.dataDir}; database: ${platform.database}; bus: ${platform.bus})`,
  `Admin API key of project "default" (${keyNote}):`,
  `  ${platform.adminKey}`,
  `Sign-in (OIDC, for evalvault login --oidc): ${platform.oidcIssuer}`,
  `  user admin, password in ${platform.adminPasswordFile}; a user signs in as subject local:<name>`,
  'Try:',
  `  curl -H "Authorization: Bearer ${platform.adminKey}" ${platform.url}/v1/projects/default/runs`,
  'Ctrl-C stops it.',
  '',
].join('\n'));

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => { process.stderr.write('EvalVault did not stop within 15 s; exiting\n'); process.exit(1); }, 15_000);
    force.unref();
    platform.stop().then(() => telemetry.shutdown()).then(
      () => { process.stderr.write('EvalVault stopped.\n'); process.exit(0); },
      (error: unknown) => { process.stderr.write(`EvalVault failed to stop cleanly: ${String(error)}\n`); process.exit(1); },
    );
  });
}
