import type { VersionRef } from '@evalvault/contracts';
import type { Scope } from '@evalvault/platform';
import type {
  ModelProfileDetails,
  PinnedRunVersions,
  PinRunVersionsRequest,
  RegistryReference,
  VersionSummary,
} from '@evalvault/service-apis';
import type { RegistryQueries } from '../projection/registry.queries.js';
import type { ProjectPolicies } from '../policy/project-policies.js';
import { RegistryError, RegistryErrorCode } from '../resource/resource.errors.js';
import type { ResourceKind } from '../resource/resource-kind.js';

const LABEL: Record<ResourceKind, string> = { dataset: 'dataset', prompt: 'prompt', model_profile: 'model profile' };

/**
 * What a run names in the registry, made exact before the run exists: each reference resolved
 * to one version (by id or name, number or label) with its content hash, so the run pins what
 * the registry holds and nothing can drift later; and, in a project that runs approved versions
 * only (its policy, or the operator's REGISTRY_APPROVAL_REQUIRED), every version approved, or the
 * run is refused naming the version. The answer carries the project's policy, which the runs
 * service checks the run's metrics and models against and the run pins.
 */
export class RunPinning {
  constructor(
    private readonly queries: RegistryQueries,
    private readonly policies: ProjectPolicies,
  ) {}

  async pin(scope: Scope, request: PinRunVersionsRequest): Promise<PinnedRunVersions> {
    const { dataset, prompt, modelProfile } = request;
    const policy = await this.policies.current(scope);
    const approvedOnly = this.policies.approvalRequired(scope, policy);
    const pin = (kind: ResourceKind, reference: RegistryReference | null | undefined) =>
      reference ? this.pinned(scope, kind, reference, approvedOnly) : Promise.resolve(null);
    const pinnedDataset = dataset ? await this.pinned(scope, 'dataset', dataset, approvedOnly) : null;
    const pinnedPrompt = await pin('prompt', prompt);
    const profile = await pin('model_profile', modelProfile);
    return {
      dataset: refOf(pinnedDataset),
      prompt: refOf(pinnedPrompt),
      modelProfile: refOf(profile),
      policy: policy.revision > 0 ? policy : null,
      modelProfileModel: profile ? modelOf(profile.details as ModelProfileDetails) : null,
    };
  }

  private async pinned(
    scope: Scope,
    kind: ResourceKind,
    reference: RegistryReference,
    approvedOnly: boolean,
  ): Promise<VersionSummary> {
    const version = await this.queries.resolveVersion(scope, kind, reference);
    if (version.approval === null && approvedOnly) {
      const why = version.rejection ? `was rejected (${version.rejection.reason})` : 'is not approved';
      throw new RegistryError(
        RegistryErrorCode.NotApproved,
        `${LABEL[kind]} ${version.name} v${version.version} (${version.id}) ${why}; ` +
          `project ${scope.projectId} runs approved versions only`,
      );
    }
    return version;
  }
}

function refOf(version: VersionSummary | null): VersionRef | null {
  return version && { id: version.id, name: version.name, version: version.version, contentHash: version.contentHash };
}

const modelOf = (details: ModelProfileDetails): string => `${details.provider}:${details.model}`;
