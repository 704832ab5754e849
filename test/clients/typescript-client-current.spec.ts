import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { renderOpenApiDocument } from '@evalvault/service-gateway';
import { typesOf } from '../../libs/client/src/generate/types-of.js';
import { repositoryRoot } from './python.js';

const clientDirectory = join(repositoryRoot, 'libs', 'client');
const REGENERATE = 'regenerate them: npm run client:generate (then commit libs/client/openapi.json and the types)';

/**
 * The TypeScript client (libs/client) is current with the API: its checked-in document
 * (libs/client/openapi.json) is the one the gateway documents now, and its generated types
 * (src/generated/openapi.ts) are exactly what openapi-typescript makes of that document today,
 * unedited. Generating takes about a second, so this does it in memory and compares.
 */
describe('the generated TypeScript client', () => {
  it('was generated from the OpenAPI document the gateway serves now, and not edited since', async () => {
    const document = await renderOpenApiDocument();
    const checkedIn: unknown = JSON.parse(readFileSync(join(clientDirectory, 'openapi.json'), 'utf8'));
    // Key order aside (generate.sh prints keys sorted), the same document.
    if (!isDeepStrictEqual(document, checkedIn))
      throw new Error(`libs/client/openapi.json is not the API's document; ${REGENERATE}`);
    const types = readFileSync(join(clientDirectory, 'src', 'generated', 'openapi.ts'), 'utf8');
    if (types !== (await typesOf(document)))
      throw new Error(
        "libs/client/src/generated/openapi.ts is not what openapi-typescript makes of the API's document " +
          `(edited by hand, or another openapi-typescript); ${REGENERATE}`,
      );
  });
});
