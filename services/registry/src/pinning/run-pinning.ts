import type { VersionRef } from '@evalvault/contracts';
import type { Scope } from '@evalvault/platform';
import type { PinnedRunVersions, PinRunVersionsRequest, RegistryReference } from '@evalvault/service-apis';
import type { RegistryQueries } from '../projection/registry.queries.js';
import { RegistryError, RegistryErrorCode } from '../resource/resource.errors.js';
import type { ResourceKind } from '../resource/resource-kind.js';
import type { ApprovalPolicy } from './approval-policy.js';

const LABEL: Record<ResourceKind, string> = { dataset: 'dataset', prompt: 'prompt', model_profile: 'model profile' };

/**
 * What a run names in the registry, made exact before the run exists: each reference resolved
 * to one version (by id or name, number or label) with its content hash, so the run pins what
 * the registry holds and nothing can drift later; and, in a project whose policy requires it,
 * every version approved, or the run is refused naming the version.
 */
export class RunPinning {
  constructor(
    private readonly queries: RegistryQueries,
    private readonly policy: ApprovalPolicy,
  ) {}

  async pin(scope: Scope, request: PinRunVersionsRequest): Promise<PinnedRunVersions> {
    const { dataset, prompt, modelProfile } = request;
    return {
      dataset: dataset ? await this.pinned(scope, 'dataset', dataset) : null,
      prompt: prompt ? await this.pinned(scope, 'prompt', prompt) : null,
      modelProfile: modelProfile ? await this.pinned(scope, 'model_profile', modelProfile) : null,
    };
  }

  private async pinned(scope: Scope, kind: ResourceKind, reference: RegistryReference): Promise<VersionRef> {
    const version = await this.queries.resolveVersion(scope, kind, reference);
    if (version.approval === null && this.policy.requiresApproval(scope.tenantId, scope.projectId)) {
      throw new RegistryError(
        RegistryErrorCode.NotApproved,
        `${LABEL[kind]} ${version.name} v${version.version} (${version.id}) is not approved; ` +
          `project ${scope.projectId} runs approved versions only`,
      );
    }
    return { id: version.id, name: version.name, version: version.version, contentHash: version.contentHash };
  }
}
