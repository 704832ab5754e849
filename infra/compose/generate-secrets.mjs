// Compose only: creates the platform's secrets once in the given directory (a volume), readable by the
// image's `node` user (uid 1000) alone. A secret that exists is kept, so restarts keep API keys valid.
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) throw new Error('usage: generate-secrets.mjs <directory>');
mkdirSync(dir, { recursive: true });
for (const name of ['internal-identity', 'api-key-pepper']) {
  const path = join(dir, name);
  if (existsSync(path)) continue;
  writeFileSync(path, randomBytes(32).toString('base64url'), { mode: 0o400 });
  chownSync(path, 1000, 1000);
  console.error(`secret ${name} created`);
}
