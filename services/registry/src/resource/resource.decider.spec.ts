import { deciderSpec } from '@evalvault/platform/testing';
import {
  decideResource,
  evolveResource,
  initialResourceState,
  type Registration,
  type ResourceEvent,
} from './resource.decider.js';
import { RegistryErrorCode } from './resource.errors.js';

const registry = deciderSpec({ decide: decideResource, evolve: evolveResource, initialState: initialResourceState });
const datasetId = 'ds-1';
const hashA = 'a'.repeat(64);
const hashB = 'b'.repeat(64);
const dataset = (contentHash: string): Registration => ({
  kind: 'dataset',
  content: {
    datasetId,
    name: 'qa',
    contentHash,
    format: 'jsonl',
    caseCount: 3,
    contentRef: `contentstore:${contentHash}`,
    description: null,
  },
});
const registered = (contentHash: string, version: number): ResourceEvent => {
  const { content } = dataset(contentHash) as Extract<Registration, { kind: 'dataset' }>;
  return { type: 'DatasetVersionRegistered', payload: { ...content, version } };
};
const approved = (version: number, comment: string | null = null): ResourceEvent => ({
  type: 'RegistryVersionApproved',
  payload: { kind: 'dataset', resourceId: datasetId, version, comment },
});
const rejected = (version: number, reason: string): ResourceEvent => ({
  type: 'RegistryVersionRejected',
  payload: { kind: 'dataset', resourceId: datasetId, version, reason },
});
const reject = (version: number, reason: string) => ({
  type: 'RejectVersion' as const,
  kind: 'dataset' as const,
  resourceId: datasetId,
  version,
  reason,
});
const approve = (version: number, comment: string | null = null) => ({
  type: 'ApproveVersion' as const,
  kind: 'dataset' as const,
  resourceId: datasetId,
  version,
  comment,
});

describe('registry resource versions', () => {
  it('numbers the first registration 1', () => {
    registry
      .given([])
      .when({ type: 'RegisterVersion', registration: dataset(hashA) })
      .then([registered(hashA, 1)]);
  });

  it('registers identical content once: a repeat decides nothing', () => {
    registry
      .given([registered(hashA, 1)])
      .when({ type: 'RegisterVersion', registration: dataset(hashA) })
      .then([]);
    registry
      .given([registered(hashA, 1), registered(hashB, 2)])
      .when({ type: 'RegisterVersion', registration: dataset(hashA) })
      .then([]);
  });

  it('makes changed content the next version', () => {
    registry
      .given([registered(hashA, 1)])
      .when({ type: 'RegisterVersion', registration: dataset(hashB) })
      .then([registered(hashB, 2)]);
  });

  it('keeps a resource of one kind', () => {
    const prompt: Registration = {
      kind: 'prompt',
      content: { promptId: datasetId, name: 'qa', contentHash: hashB, template: 't', variables: [] },
    };
    registry
      .given([registered(hashA, 1)])
      .when({ type: 'RegisterVersion', registration: prompt })
      .thenThrows(expect.objectContaining({ code: RegistryErrorCode.Conflict }));
  });

  it('approves a registered version once', () => {
    registry
      .given([registered(hashA, 1)])
      .when(approve(1, 'reviewed'))
      .then([approved(1, 'reviewed')]);
    registry
      .given([registered(hashA, 1), approved(1)])
      .when(approve(1))
      .then([]);
    registry
      .given([registered(hashA, 1), registered(hashB, 2), approved(1)])
      .when(approve(2))
      .then([approved(2)]);
  });

  it('approves only versions that exist, of the kind named', () => {
    registry
      .given([])
      .when(approve(1))
      .thenThrows(expect.objectContaining({ code: RegistryErrorCode.NotFound }));
    registry
      .given([registered(hashA, 1)])
      .when(approve(2))
      .thenThrows(expect.objectContaining({ code: RegistryErrorCode.NotFound }));
    registry
      .given([registered(hashA, 1)])
      .when({ ...approve(1), kind: 'prompt' })
      .thenThrows(expect.objectContaining({ code: RegistryErrorCode.NotFound }));
  });

  it('rejects a registered version with its reason, once', () => {
    registry
      .given([registered(hashA, 1)])
      .when(reject(1, '  leaks customer names  '))
      .then([rejected(1, 'leaks customer names')]);
    registry
      .given([registered(hashA, 1), rejected(1, 'leaks customer names')])
      .when(reject(1, 'again'))
      .then([]);
  });

  it('refuses a rejection without a reason', () => {
    for (const reason of ['', '   '])
      registry
        .given([registered(hashA, 1)])
        .when(reject(1, reason))
        .thenThrows(expect.objectContaining({ code: RegistryErrorCode.InvalidInput }));
  });

  it('rejects only versions that exist, of the kind named', () => {
    registry
      .given([registered(hashA, 1)])
      .when(reject(2, 'wrong'))
      .thenThrows(expect.objectContaining({ code: RegistryErrorCode.NotFound }));
    registry
      .given([registered(hashA, 1)])
      .when({ ...reject(1, 'wrong'), kind: 'model_profile' })
      .thenThrows(expect.objectContaining({ code: RegistryErrorCode.NotFound }));
  });

  it('never approves a rejected version, nor rejects an approved one', () => {
    registry
      .given([registered(hashA, 1), rejected(1, 'leaks customer names')])
      .when(approve(1, 'looks fine'))
      .thenThrows(expect.objectContaining({ code: RegistryErrorCode.Conflict }));
    registry
      .given([registered(hashA, 1), approved(1)])
      .when(reject(1, 'too late'))
      .thenThrows(expect.objectContaining({ code: RegistryErrorCode.Conflict }));
  });

  it('decides each version on its own: a rejected version leaves the next one open', () => {
    registry
      .given([registered(hashA, 1), rejected(1, 'leaks customer names'), registered(hashB, 2)])
      .when(approve(2))
      .then([approved(2)]);
  });
});
