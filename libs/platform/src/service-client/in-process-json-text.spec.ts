import { InProcessServiceClient } from './in-process-service-client.js';
import type { InternalIdentity } from './internal-identity.js';
import { ServiceClientError, ServiceClientErrorCode } from './service-client.errors.js';

type Ops = { getRun: { input: { runId: string }; output: { runId: string; at: Date | null; missing?: string } } };
const identity: InternalIdentity = {
  tenantId: 't',
  projectId: 'p',
  roles: ['viewer'],
  actor: { subject: 'a', authMethod: 'api_key', apiKeyId: 'k' },
};

describe('in-process calls answered as JSON text', () => {
  it('answers the text that call parses: the same JSON as over HTTP, undefined fields dropped', async () => {
    const client = new InProcessServiceClient<Ops>('runs', {
      getRun: async ({ runId }) => ({ runId, at: new Date(0), missing: undefined }),
    });
    const text = await client.callJsonText('getRun', { runId: 'r1' }, identity);
    expect(text).toBe('{"runId":"r1","at":"1970-01-01T00:00:00.000Z"}');
    expect(await client.call('getRun', { runId: 'r1' }, identity)).toEqual(JSON.parse(text));
  });

  it('fails as call fails: an unknown operation is not found, a handler error internal', async () => {
    const client = new InProcessServiceClient<Ops>('runs', {
      getRun: async () => {
        throw new Error('database gone');
      },
    });
    await expect(client.callJsonText('getRun', { runId: 'r1' }, identity)).rejects.toMatchObject({
      code: ServiceClientErrorCode.Internal,
    });
    const unknown = client.callJsonText('nope' as 'getRun', { runId: 'r1' }, identity);
    await expect(unknown).rejects.toBeInstanceOf(ServiceClientError);
    await expect(unknown).rejects.toMatchObject({ code: ServiceClientErrorCode.NotFound });
  });
});
