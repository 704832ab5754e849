import type { RegisteredVersion } from '@evalvault/service-apis';
import type { ApiClient } from '../api/api-client.js';
import type { InlineCase } from './load-dataset.js';

const NDJSON = 'application/x-ndjson';
const CHUNK_CASES = 500;

/**
 * Registers cases as a new dataset version by streaming them to the registry as NDJSON
 * (`POST …/datasets?name=…`, no request-body limit but the registry's own), reporting the share
 * sent as it goes. Registering the same content again answers the existing version.
 */
export async function uploadDataset(
  client: ApiClient,
  project: string,
  dataset: { name: string; description?: string; cases: readonly InlineCase[] },
  onProgress: (sentCases: number, totalCases: number) => void = () => undefined,
): Promise<RegisteredVersion> {
  const { cases } = dataset;
  const make = (): ReadableStream<Uint8Array> => {
    let next = 0;
    const encoder = new TextEncoder();
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        if (next >= cases.length) {
          controller.close();
          return;
        }
        const chunk = cases.slice(next, next + CHUNK_CASES);
        next += chunk.length;
        controller.enqueue(encoder.encode(chunk.map((testCase) => `${JSON.stringify(testCase)}\n`).join('')));
        onProgress(next, cases.length);
      },
    });
  };
  // Streamed: the typed client's POST would hold the whole body; raw sends it as it is made, made again per attempt.
  const response = await client.raw('POST', '/v1/projects/{project}/datasets', {
    path: { project },
    body: { contentType: NDJSON, make },
    query: { name: dataset.name, description: dataset.description },
  });
  return (await response.json()) as RegisteredVersion;
}
