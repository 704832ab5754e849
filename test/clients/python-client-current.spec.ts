import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { renderOpenApiDocument } from '@evalvault/service-gateway';
import { clientDirectory } from './python.js';

const REGENERATE = 'regenerate it: npm run build && bash clients/python/generate.sh';
const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** GENERATED.sha256 as generate.sh writes it: `<sha256>  <path>` per line, after a comment. */
function recorded(): Map<string, string> {
  const lines = readFileSync(join(clientDirectory, 'GENERATED.sha256'), 'utf8').split('\n');
  return new Map(
    lines.filter((line) => /^[0-9a-f]{64} {2}/.test(line)).map((line) => [line.slice(66), line.slice(0, 64)]),
  );
}

function generatedFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && !entry.parentPath.includes('__pycache__'))
    .map((entry) => relative(clientDirectory, join(entry.parentPath, entry.name)))
    .sort();
}

/**
 * The checked-in Python client is current with the API: regenerating it needs Java and takes ~10-40 s, so
 * instead the document it was generated from (clients/python/openapi.json, hashed in GENERATED.sha256 by
 * generate.sh) must be the one the gateway documents now, and the generated files must be the ones
 * generated from it, unedited. The e2e test checks that a running platform serves that same document.
 */
describe('the generated Python client', () => {
  it('was generated from the OpenAPI document the gateway serves now', async () => {
    const checkedIn: unknown = JSON.parse(readFileSync(join(clientDirectory, 'openapi.json'), 'utf8'));
    // Key order aside (generate.sh prints keys sorted), the same document.
    if (!isDeepStrictEqual(await renderOpenApiDocument(), checkedIn))
      throw new Error(`clients/python/openapi.json is not the API's document; ${REGENERATE}`);
    expect(recorded().get('openapi.json')).toBe(sha256(join(clientDirectory, 'openapi.json')));
  });

  it('holds exactly the generated files, none edited by hand', () => {
    const hashes = recorded();
    const files = generatedFiles(join(clientDirectory, 'evalvault_api'));
    expect(files).toEqual([...hashes.keys()].filter((path) => path !== 'openapi.json').sort());
    const edited = files.filter((path) => hashes.get(path) !== sha256(join(clientDirectory, path)));
    if (edited.length > 0) throw new Error(`edited after generation: ${edited.join(', ')}; ${REGENERATE}`);
  });
});
