// The image's one entry point: `docker run evalvault/platform <what>` runs one service, the migrations
// or the Kafka topic set-up, chosen by its first argument (what compose and the Kubernetes manifests
// pass). entrypoints.json maps each argument to its built file (test/deploy checks they exist).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(import.meta.dirname, '..', '..');
const entrypoints = JSON.parse(readFileSync(join(import.meta.dirname, 'entrypoints.json'), 'utf8'));
const [what = ''] = process.argv.slice(2);
const file = Object.hasOwn(entrypoints, what) ? entrypoints[what] : undefined;
if (!file) {
  console.error(`usage: entrypoint <${Object.keys(entrypoints).join('|')}>; got ${JSON.stringify(what)}`);
  process.exit(2);
}
await import(pathToFileURL(join(root, file)).href);
