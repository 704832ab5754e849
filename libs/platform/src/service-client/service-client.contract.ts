import { randomUUID } from 'node:crypto';
import type { InternalIdentity } from './internal-identity.js';
import { HTTP_STATUS_BY_CODE, ServiceClientError, ServiceClientErrorCode } from './service-client.errors.js';
import type { OperationHandlers, ServiceClient } from './service-client.port.js';

export const EXAMPLE_SERVICE = 'example';

/** A tiny owner: enough operations to show that both clients deliver the same things. */
export type ExampleOperations = {
  echo: { input: { message: string; at?: string }; output: { message: string; at?: string; tenantId: string } };
  whoAmI: { input: null; output: InternalIdentity };
  fail: { input: { code: ServiceClientErrorCode; message: string }; output: never };
  crash: { input: null; output: never };
  appendToInput: { input: { items: string[] }; output: { items: string[] } };
  sharedState: { input: null; output: { items: string[] } };
  nothing: { input: null; output: undefined };
};

export function exampleHandlers(): OperationHandlers<ExampleOperations> {
  const state = { items: ['kept by the owner'] };
  return {
    echo: async (input, identity) => ({ ...input, tenantId: identity.tenantId }),
    whoAmI: async (_input, identity) => identity,
    fail: async ({ code, message }) => {
      throw new ServiceClientError(code, message);
    },
    crash: async () => {
      throw new Error('stack detail that must stay inside the owner');
    },
    appendToInput: async (input) => {
      input.items.push('added by the owner');
      return input;
    },
    sharedState: async () => state,
    nothing: async () => undefined,
  };
}

/**
 * The behaviour every ServiceClient must have, whether the owner runs in-process or over HTTP.
 * `makeClient` wires the given handlers behind the client under test.
 */
export function serviceClientContract(
  name: string,
  makeClient: (handlers: OperationHandlers<ExampleOperations>) => Promise<ServiceClient<ExampleOperations>>,
  close: () => Promise<void> = async () => {},
): void {
  describe(`${name} service client contract`, () => {
    let client: ServiceClient<ExampleOperations>;
    const anIdentity = (): InternalIdentity => ({
      tenantId: `tenant-${randomUUID()}`,
      projectId: `project-${randomUUID()}`,
      roles: ['editor'],
      actor: { subject: `user-${randomUUID()}`, authMethod: 'oidc', apiKeyId: null },
    });
    const failure = (promise: Promise<unknown>): Promise<unknown> =>
      promise.then(
        () => undefined,
        (caught: unknown) => caught,
      );

    beforeAll(async () => {
      client = await makeClient(exampleHandlers());
    });
    afterAll(close);

    it('answers with the handler output, computed from the input and the identity', async () => {
      const identity = anIdentity();
      await expect(client.call('echo', { message: 'hello' }, identity)).resolves.toEqual({
        message: 'hello',
        tenantId: identity.tenantId,
      });
    });

    it('delivers the whole identity to the handler, and only its known fields', async () => {
      const identity = anIdentity();
      const withExtra = { ...identity, sneaky: true } as InternalIdentity;
      await expect(client.call('whoAmI', null, withExtra)).resolves.toEqual(identity);
    });

    it('carries values as JSON: a Date arrives as its ISO string, nothing as null', async () => {
      const at = new Date(0) as unknown as string;
      await expect(client.call('echo', { message: 'dated', at }, anIdentity())).resolves.toMatchObject({
        at: '1970-01-01T00:00:00.000Z',
      });
      await expect(client.call('nothing', null, anIdentity())).resolves.toBeNull();
    });

    it('shares no mutable objects between caller and owner', async () => {
      const input = { items: ['from the caller'] };
      await expect(client.call('appendToInput', input, anIdentity())).resolves.toEqual({
        items: ['from the caller', 'added by the owner'],
      });
      expect(input.items).toEqual(['from the caller']);
      (await client.call('sharedState', null, anIdentity())).items.push('changed by the caller');
      await expect(client.call('sharedState', null, anIdentity())).resolves.toEqual({ items: ['kept by the owner'] });
    });

    it.each(Object.values(ServiceClientErrorCode))(
      'delivers a %s failure with its code, status and message',
      async (code) => {
        const error = await failure(client.call('fail', { code, message: `failed with ${code}` }, anIdentity()));
        expect(error).toBeInstanceOf(ServiceClientError);
        expect(error).toMatchObject({ code, status: HTTP_STATUS_BY_CODE[code], message: `failed with ${code}` });
      },
    );

    it('turns an unexpected error into INTERNAL without revealing it', async () => {
      const error = await failure(client.call('crash', null, anIdentity()));
      expect(error).toMatchObject({ code: ServiceClientErrorCode.Internal, status: 500 });
      expect((error as Error).message).not.toMatch(/stack detail/);
    });

    it('answers NOT_FOUND for an operation the owner does not have', async () => {
      const error = await failure(client.call('nope' as 'nothing', null, anIdentity()));
      expect(error).toMatchObject({ code: ServiceClientErrorCode.NotFound, status: 404 });
    });

    it('refuses a malformed identity as UNAUTHENTICATED', async () => {
      const identity = { ...anIdentity(), tenantId: '' };
      await expect(failure(client.call('whoAmI', null, identity))).resolves.toMatchObject({
        code: ServiceClientErrorCode.Unauthenticated,
      });
    });

    it('refuses input JSON cannot carry as INVALID_INPUT', async () => {
      const error = await failure(client.call('echo', { message: 'big', at: 1n as unknown as string }, anIdentity()));
      expect(error).toMatchObject({ code: ServiceClientErrorCode.InvalidInput, status: 400 });
    });
  });
}
