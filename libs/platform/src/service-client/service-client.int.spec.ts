import { randomBytes, randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { HttpServiceClient } from './http-service-client.js';
import { InProcessServiceClient } from './in-process-service-client.js';
import { registerInternalApi, type ErrorLogger } from './internal-api.js';
import {
  INTERNAL_IDENTITY_HEADER,
  InternalIdentitySigner,
  InternalIdentityVerifier,
  type InternalIdentity,
} from './internal-identity.js';
import {
  EXAMPLE_SERVICE,
  exampleHandlers,
  serviceClientContract,
  type ExampleOperations,
} from './service-client.contract.js';
import type { OperationHandlers } from './service-client.port.js';

const secret = randomBytes(32);
const signer = new InternalIdentitySigner({ secret });
const verifier = new InternalIdentityVerifier({ secret, serviceName: EXAMPLE_SERVICE });

async function startOwner(
  handlers: OperationHandlers<ExampleOperations>,
  logger?: ErrorLogger,
): Promise<{ server: FastifyInstance; baseUrl: string }> {
  const server = Fastify();
  registerInternalApi(server, { handlers, verifier, ...(logger ? { logger } : {}) });
  const baseUrl = await server.listen({ host: '127.0.0.1', port: 0 });
  return { server, baseUrl };
}

serviceClientContract('in-process', async (handlers) => new InProcessServiceClient(EXAMPLE_SERVICE, handlers));

let httpOwner: FastifyInstance | undefined;
serviceClientContract(
  'HTTP',
  async (handlers) => {
    const { server, baseUrl } = await startOwner(handlers);
    httpOwner = server;
    return new HttpServiceClient({ serviceName: EXAMPLE_SERVICE, baseUrl, signer });
  },
  async () => {
    await httpOwner?.close();
  },
);

describe('internal API over real HTTP', () => {
  let owner: { server: FastifyInstance; baseUrl: string };
  const logged: { details: object; message: string }[] = [];
  const identity: InternalIdentity = {
    tenantId: `tenant-${randomUUID()}`,
    projectId: null,
    roles: ['viewer'],
    actor: { subject: `user-${randomUUID()}`, authMethod: 'oidc', apiKeyId: null },
  };

  beforeAll(async () => {
    owner = await startOwner(exampleHandlers(), {
      error: (details, message) => {
        logged.push({ details, message });
      },
    });
  });
  afterAll(async () => {
    await owner.server.close();
  });

  const post = (operation: string, headers: Record<string, string>, body = 'null'): Promise<Response> =>
    fetch(`${owner.baseUrl}/internal/v1/${operation}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  const signedFor = async (audience: string, by = signer): Promise<Record<string, string>> => ({
    [INTERNAL_IDENTITY_HEADER]: await by.sign(identity, audience),
  });

  async function expectProblem(response: Response, status: number, code: string, detail: RegExp): Promise<void> {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await response.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({
      type: expect.stringMatching(/^urn:evalvault:problem:/),
      title: expect.any(String),
      status,
      code,
    });
    expect(problem['detail']).toMatch(detail);
  }

  it('answers 200 JSON to a call with a valid identity', async () => {
    const response = await post('echo', await signedFor(EXAMPLE_SERVICE), JSON.stringify({ message: 'hi' }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    await expect(response.json()).resolves.toEqual({ message: 'hi', tenantId: identity.tenantId });
  });

  it('refuses a call without the identity header with 401', async () => {
    await expectProblem(await post('echo', {}), 401, 'UNAUTHENTICATED', /missing x-evalvault-identity header/);
  });

  it('refuses an identity signed for another service with 401', async () => {
    await expectProblem(await post('echo', await signedFor('registry')), 401, 'UNAUTHENTICATED', /wrong audience/);
  });

  it('refuses an identity signed with a different secret with 401', async () => {
    const forger = new InternalIdentitySigner({ secret: randomBytes(32) });
    await expectProblem(
      await post('echo', await signedFor(EXAMPLE_SERVICE, forger)),
      401,
      'UNAUTHENTICATED',
      /bad signature/,
    );
  });

  it('checks the identity before the operation name or the body', async () => {
    await expectProblem(await post('nope', {}), 401, 'UNAUTHENTICATED', /missing/);
    await expectProblem(await post('echo', {}, '{not json'), 401, 'UNAUTHENTICATED', /missing/);
  });

  it('answers an unknown operation with 404', async () => {
    await expectProblem(
      await post('nope', await signedFor(EXAMPLE_SERVICE)),
      404,
      'NOT_FOUND',
      /no internal operation/,
    );
    await expectProblem(
      await post('constructor', await signedFor(EXAMPLE_SERVICE)),
      404,
      'NOT_FOUND',
      /no internal operation/,
    );
  });

  it('answers a body that is not JSON with 400', async () => {
    await expectProblem(
      await post('echo', await signedFor(EXAMPLE_SERVICE), '{not json'),
      400,
      'INVALID_INPUT',
      /JSON/,
    );
  });

  it('answers an unexpected error with a bare 500, logged on the owner side only', async () => {
    const response = await post('crash', await signedFor(EXAMPLE_SERVICE));
    const text = await response.clone().text();
    await expectProblem(response, 500, 'INTERNAL', /^internal error$/);
    expect(text).not.toMatch(/stack detail|at .*\.ts/);
    expect(logged.at(-1)).toMatchObject({
      message: 'internal operation failed',
      details: { url: '/internal/v1/crash' },
    });
  });
});
