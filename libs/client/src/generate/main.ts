import { readFileSync, writeFileSync } from 'node:fs';
import { typesOf } from './types-of.js';

/**
 * `node libs/client/dist/generate/main.js <openapi.json> <openapi.ts>`: writes the types of the
 * document (libs/client/generate.sh runs it on the document the gateway prints).
 */
const [input, output] = process.argv.slice(2);
if (!input || !output) {
  process.stderr.write('usage: node libs/client/dist/generate/main.js <openapi.json> <openapi.ts>\n');
  process.exit(2);
}
writeFileSync(output, await typesOf(JSON.parse(readFileSync(input, 'utf8')) as object));
