import { InProcessServiceClient } from './in-process-service-client.js';
import type { InternalIdentity } from './internal-identity.js';
import { ServiceClientError, ServiceClientErrorCode } from './service-client.errors.js';

type Streams = { exportLines: { input: { count: number } } };
const identity: InternalIdentity = {
  tenantId: 't',
  projectId: null,
  roles: ['auditor'],
  actor: { subject: 'a', authMethod: 'oidc', apiKeyId: null },
};

describe('in-process streamed operations', () => {
  it('pulls the owner’s chunks as bytes, one at a time as they are read', async () => {
    let produced = 0;
    const client = new InProcessServiceClient<Record<never, never>, Streams>(
      'audit',
      {},
      {
        exportLines: async ({ count }) => ({
          contentType: 'application/x-ndjson',
          body: (async function* () {
            for (let n = 0; n < count; n++) {
              produced += 1;
              yield `{"n":${n}}\n`;
            }
          })(),
        }),
      },
    );
    const { contentType, body } = await client.stream('exportLines', { count: 1000 }, identity);
    expect(contentType).toBe('application/x-ndjson');
    const read: string[] = [];
    for await (const chunk of body) {
      read.push(Buffer.from(chunk).toString('utf8'));
      if (read.length === 3) break;
    }
    expect(read).toEqual(['{"n":0}\n', '{"n":1}\n', '{"n":2}\n']);
    expect(produced).toBe(3);
  });

  it('answers unknown streams and failing owners with the codes of the HTTP client', async () => {
    const client = new InProcessServiceClient<Record<never, never>, Streams>(
      'audit',
      {},
      {
        exportLines: async () => {
          throw new Error('disk on fire');
        },
      },
    );
    await expect(client.stream('nope' as 'exportLines', { count: 1 }, identity)).rejects.toMatchObject({
      code: ServiceClientErrorCode.NotFound,
    });
    await expect(client.stream('exportLines', { count: 1 }, identity)).rejects.toEqual(expect.any(ServiceClientError));
    await expect(client.stream('exportLines', { count: 1 }, identity)).rejects.toMatchObject({
      code: ServiceClientErrorCode.Internal,
    });
  });
});
