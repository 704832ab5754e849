import { renderOpenApiDocument } from './docs/openapi-document.js';

/** Keys in order at every level: the same document prints the same bytes whatever order routes registered in. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
  );
}

/**
 * `node services/gateway/dist/print-openapi.js`: the OpenAPI document the gateway serves at
 * /openapi.json, on stdout, with no server running (clients/python/generate.sh generates from it).
 */
process.stdout.write(`${JSON.stringify(sortedKeys(await renderOpenApiDocument()), null, 2)}\n`);
