import {
  ServiceClientError,
  ServiceClientErrorCode,
  type InternalIdentity,
  type ServiceClient,
} from '@evalvault/platform';
import type { PinRunVersionsRequest, RegistryOperations } from '@evalvault/service-apis';
import { problemFor } from '../http/problem.js';
import { pinRunReferences, type SubmitRunBody } from './run-pinning.js';

const identity: InternalIdentity = {
  tenantId: 't',
  projectId: 'checkout',
  roles: ['editor'],
  actor: { subject: 'ci', authMethod: 'api_key', apiKeyId: 'k' },
};
const hash = (c: string): string => c.repeat(64);
const body: SubmitRunBody = {
  dataset: { id: 'ds-1', version: 3 },
  metrics: ['faithfulness'],
  prompt: { name: 'answer', label: 'approved', contentHash: 'sent by the client' },
  modelProfile: { id: 'mp-1' },
};

/** A registry answering pinRunVersions only, recording what it was asked. */
function registry(answer: (request: PinRunVersionsRequest) => unknown): {
  client: ServiceClient<RegistryOperations>;
  asked: PinRunVersionsRequest[];
} {
  const asked: PinRunVersionsRequest[] = [];
  const client = {
    call: async (operation: string, input: PinRunVersionsRequest) => {
      if (operation !== 'pinRunVersions') throw new Error(`unexpected ${operation}`);
      asked.push(input);
      return answer(input);
    },
  } as unknown as ServiceClient<RegistryOperations>;
  return { client, asked };
}

describe('pinning a run request to registry versions (gateway)', () => {
  it('asks the registry for the exact versions and pins its hashes, never the client’s', async () => {
    const pinned = {
      dataset: { id: 'ds-1', name: 'qa', version: 3, contentHash: hash('d') },
      prompt: { id: 'pr-1', name: 'answer', version: 4, contentHash: hash('p') },
      modelProfile: { id: 'mp-1', name: 'judge', version: 2, contentHash: hash('m') },
    };
    const { client, asked } = registry(() => pinned);
    expect(await pinRunReferences(client, body, identity)).toEqual({
      dataset: { id: 'ds-1', version: 3, contentHash: hash('d') },
      prompt: pinned.prompt,
      modelProfile: pinned.modelProfile,
      policy: null,
      modelProfileModel: null,
    });
    expect(asked).toEqual([
      {
        dataset: { id: 'ds-1', version: 3 },
        prompt: { id: null, name: 'answer', version: null, label: 'approved' },
        modelProfile: { id: 'mp-1', name: null, version: null, label: null },
      },
    ]);
  });

  it('answers 422 VERSION_NOT_APPROVED naming the version the registry refused', async () => {
    const message = 'prompt answer v4 (pr-1) is not approved; project checkout runs approved versions only';
    const { client } = registry(() => {
      throw new ServiceClientError(ServiceClientErrorCode.InvalidInput, message, { status: 422 });
    });
    const refusal = await pinRunReferences(client, body, identity).catch((error: unknown) => error);
    expect(problemFor(refusal, '/v1/projects/checkout/runs').problem).toMatchObject({
      status: 422,
      code: 'VERSION_NOT_APPROVED',
      detail: message,
    });
  });

  it("asks for an inline run too, for the project's policy; without a registry exact references only", async () => {
    const policy = {
      revision: 2,
      allowedModels: ['openai:*'],
      allowedMetrics: null,
      dailyCapUsd: 10,
      monthlyCapUsd: null,
      approvedVersionsOnly: false,
    };
    const answer = { dataset: null, prompt: null, modelProfile: null, policy, modelProfileModel: null };
    const { client, asked } = registry(() => answer);
    const inline: SubmitRunBody = { dataset: { name: 'qa', cases: [] }, metrics: ['token_f1'] };
    expect(await pinRunReferences(client, inline, identity)).toEqual({ ...answer, dataset: inline.dataset });
    expect(asked).toEqual([{ dataset: null, prompt: null, modelProfile: null }]);
    const exact = { id: 'pr-1', name: 'answer', version: 4, contentHash: hash('p') };
    expect((await pinRunReferences(null, { ...body, prompt: exact, modelProfile: null }, identity)).prompt).toEqual(
      exact,
    );
    await expect(pinRunReferences(null, body, identity)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
