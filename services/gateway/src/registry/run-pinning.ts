import type { ProjectPolicy, VersionRef } from '@evalvault/contracts';
import { ServiceClientError, type InternalIdentity, type ServiceClient } from '@evalvault/platform';
import {
  VERSION_NOT_APPROVED_STATUS,
  type RegistryOperations,
  type RegistryReference,
  type SubmitRunRequest,
} from '@evalvault/service-apis';
import { EdgeError } from '../http/index.js';

/** A prompt or model profile as a run request names it; `contentHash` (older clients sent one) is ignored. */
export type RunReference = RegistryReference & { contentHash?: string };

/** A run request as clients send it: prompt and model profile by id or name, at a version or a label. */
export type SubmitRunBody = Omit<SubmitRunRequest, 'prompt' | 'modelProfile' | 'idempotencyKey'> & {
  prompt?: RunReference | null;
  modelProfile?: RunReference | null;
};

interface Pinned {
  dataset: SubmitRunRequest['dataset'];
  prompt: VersionRef | null;
  modelProfile: VersionRef | null;
  /** The project's policy, which the runs service checks the run against and the run pins (null: none set). */
  policy: ProjectPolicy | null;
  /** The pinned model profile's `provider:model`, which the policy may limit. */
  modelProfileModel: string | null;
}

/**
 * What a run names in the registry, made exact before the run exists: the registry resolves a
 * registered dataset version, and a prompt or model profile named by id or name, at a version or a
 * label (`latest`, `approved`), to one version with its content hash, which RunRequested pins (and
 * its configHash covers). Another project's id is "not found" here, and a hash sent by the client is
 * never trusted. Where the project's policy requires approval, an unapproved version is refused
 * with 422 VERSION_NOT_APPROVED naming it. The registry, which owns project policies, answers the
 * project's policy with the versions (so it is asked for every run, inline ones too). Without a
 * registry (tests, benchmarks), exact references pass as they are and there is no policy.
 */
export async function pinRunReferences(
  registry: ServiceClient<RegistryOperations> | null,
  body: SubmitRunBody,
  identity: InternalIdentity,
): Promise<Pinned> {
  const registered = 'id' in body.dataset ? { id: body.dataset.id, version: body.dataset.version } : null;
  if (!registry) return unresolved(body, registered);
  const pinned = await approvedOrRefused(() =>
    registry.call(
      'pinRunVersions',
      { dataset: registered, prompt: referenceOf(body.prompt), modelProfile: referenceOf(body.modelProfile) },
      identity,
    ),
  );
  return {
    dataset: pinned.dataset
      ? { id: pinned.dataset.id, version: pinned.dataset.version!, contentHash: pinned.dataset.contentHash }
      : body.dataset,
    prompt: pinned.prompt,
    modelProfile: pinned.modelProfile,
    policy: pinned.policy ?? null,
    modelProfileModel: pinned.modelProfileModel ?? null,
  };
}

/** The project's policy in force, for a retry to be checked against (null: never set, or no registry). */
export async function projectPolicyOf(
  registry: ServiceClient<RegistryOperations> | null,
  identity: InternalIdentity,
): Promise<ProjectPolicy | null> {
  if (!registry) return null;
  const {
    projectId: _project,
    operatorRequiresApproval: _operator,
    ...policy
  } = await registry.call('getProjectPolicy', {}, identity);
  return policy.revision > 0 ? policy : null;
}

function referenceOf(reference: RunReference | null | undefined): RegistryReference | null {
  if (!reference) return null;
  const { id, name, version, label } = reference;
  return { id: id ?? null, name: name ?? null, version: version ?? null, label: label ?? null };
}

async function approvedOrRefused<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ServiceClientError && error.status === VERSION_NOT_APPROVED_STATUS)
      throw new EdgeError('VERSION_NOT_APPROVED', error.message);
    throw error;
  }
}

function unresolved(body: SubmitRunBody, registered: { id: string; version: number } | null): Pinned {
  return {
    dataset: registered ?? body.dataset,
    prompt: exact('prompt', body.prompt),
    modelProfile: exact('modelProfile', body.modelProfile),
    policy: null,
    modelProfileModel: null,
  };
}

function exact(field: string, reference: RunReference | null | undefined): VersionRef | null {
  if (!reference) return null;
  const { id, name, version, contentHash } = reference;
  if (!id || !version || !contentHash)
    throw new EdgeError('INVALID_INPUT', `${field}: without a registry only {id, version, contentHash} can be pinned`);
  return { id, name: name ?? null, version, contentHash };
}
