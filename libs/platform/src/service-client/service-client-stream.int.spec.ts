import { randomBytes, randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { HttpServiceClient } from './http-service-client.js';
import { registerInternalApi } from './internal-api.js';
import { InternalIdentitySigner, InternalIdentityVerifier, type InternalIdentity } from './internal-identity.js';
import { ServiceClientError, ServiceClientErrorCode } from './service-client.errors.js';

type Ops = { ping: { input: null; output: string } };
type Streams = { lines: { input: { count: number; pauseMs?: number; fail?: boolean } } };

const secret = randomBytes(32);
const identity: InternalIdentity = {
  tenantId: `tenant-${randomUUID()}`,
  projectId: null,
  roles: [],
  actor: { subject: 'gateway', authMethod: 'internal', apiKeyId: null },
};
const LINE = `${'x'.repeat(1_023)}\n`;

/** Streamed operations over real HTTP: lazily produced by the owner, read chunk by chunk by the caller. */
describe('streamed internal operations', () => {
  let fastify: FastifyInstance;
  let client: HttpServiceClient<Ops, Streams>;
  let produced = 0;
  const seen: InternalIdentity[] = [];

  beforeAll(async () => {
    fastify = Fastify();
    registerInternalApi<Ops, Streams>(fastify, {
      handlers: { ping: async () => 'pong' },
      streams: {
        lines: async (input, caller) => {
          seen.push(caller);
          if (input.fail) throw new ServiceClientError(ServiceClientErrorCode.InvalidInput, 'no lines for you');
          return {
            contentType: 'text/plain; charset=utf-8',
            body: (async function* () {
              for (let index = 0; index < input.count; index++) {
                if (index === 1 && input.pauseMs) await new Promise((resolve) => setTimeout(resolve, input.pauseMs));
                produced += 1;
                yield LINE;
              }
            })(),
          };
        },
      },
      verifier: new InternalIdentityVerifier({ secret, serviceName: 'owner' }),
    });
    const address = await fastify.listen({ port: 0, host: '127.0.0.1' });
    client = new HttpServiceClient({
      serviceName: 'owner',
      baseUrl: address,
      signer: new InternalIdentitySigner({ secret }),
      timeoutMs: 1_000,
    });
  });

  afterAll(async () => {
    await fastify.close();
  });

  const read = async (body: AsyncIterable<Uint8Array>): Promise<number> => {
    let bytes = 0;
    for await (const chunk of body) bytes += chunk.length;
    return bytes;
  };

  it('delivers every byte with the owner’s media type and the caller’s identity, next to ordinary calls', async () => {
    const { contentType, body } = await client.stream('lines', { count: 5_000 }, identity);
    expect(contentType).toBe('text/plain; charset=utf-8');
    expect(await read(body)).toBe(5_000 * LINE.length);
    expect(seen.at(-1)).toMatchObject({ tenantId: identity.tenantId, actor: { subject: 'gateway' } });
    expect(await client.call('ping', null, identity)).toBe('pong');
  });

  it('produces only as fast as the caller reads', async () => {
    produced = 0;
    const { body } = await client.stream('lines', { count: 200_000 }, identity); // ≈ 200 MB if produced eagerly
    const iterator = body[Symbol.asyncIterator]();
    let bytes = 0;
    while (bytes < 1_000_000) bytes += (await iterator.next()).value!.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(produced).toBeLessThan(20_000);
    await iterator.return?.();
  });

  it('bounds the wait for the answer, not the time the body takes', async () => {
    const { body } = await client.stream('lines', { count: 3, pauseMs: 2_500 }, identity); // timeout 1 s
    expect(await read(body)).toBe(3 * LINE.length);
  });

  it('answers a refusal before the first byte as the owner’s error, and a stranger as unauthenticated', async () => {
    await expect(client.stream('lines', { count: 1, fail: true }, identity)).rejects.toMatchObject({
      code: ServiceClientErrorCode.InvalidInput,
      status: 400,
      message: 'no lines for you',
    });
    const stranger = new HttpServiceClient<Ops, Streams>({
      serviceName: 'owner',
      baseUrl: `http://127.0.0.1:${(fastify.server.address() as { port: number }).port}`,
      signer: new InternalIdentitySigner({ secret: randomBytes(32) }),
    });
    await expect(stranger.stream('lines', { count: 1 }, identity)).rejects.toMatchObject({
      code: ServiceClientErrorCode.Unauthenticated,
    });
  });

  it('refuses an operation declared both as a call and as a stream', () => {
    const verifier = new InternalIdentityVerifier({ secret, serviceName: 'owner' });
    const lines = async (): Promise<{ contentType: string; body: AsyncIterable<string> }> => ({
      contentType: 'text/plain',
      body: [] as unknown as AsyncIterable<string>,
    });
    expect(() =>
      registerInternalApi<{ lines: { input: null; output: null } }, { lines: { input: null } }>(Fastify(), {
        handlers: { lines: async () => null },
        streams: { lines },
        verifier,
      }),
    ).toThrow(/both as a call and as a stream/);
  });
});
