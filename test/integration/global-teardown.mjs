// Stops the broker only if the tests started it; one found running is left alone.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { STARTED_MARKER } from './global-setup.mjs';

export default async function globalTeardown() {
  if (!existsSync(STARTED_MARKER)) return;
  rmSync(STARTED_MARKER);
  execFileSync('bash', ['infra/kafka/kafka.sh', 'stop'], {
    cwd: join(import.meta.dirname, '..', '..'),
    stdio: 'inherit',
  });
}
