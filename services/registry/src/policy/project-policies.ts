import type { ProjectPolicy } from '@evalvault/contracts';
import type { CommandContext, Scope } from '@evalvault/platform';
import type { ProjectPolicyView, SetProjectPolicyRequest } from '@evalvault/service-apis';
import type { ApprovalPolicy } from '../pinning/approval-policy.js';
import { checkedOptionalText } from '../resource/resource-name.js';
import { invalidInput } from '../resource/resource.errors.js';
import { projectPolicyStreamId, type PolicySettings } from './project-policy.decider.js';
import type { ProjectPolicyRepository } from './project-policy.repository.js';

/**
 * Project policies, read from and written to each project's own stream (never a read model, so a
 * run submitted right after a change is checked against it). The operator's REGISTRY_APPROVAL_REQUIRED
 * stays beneath them: a project it names runs approved versions whatever its policy says.
 */
export class ProjectPolicies {
  constructor(
    private readonly policies: ProjectPolicyRepository,
    private readonly operator: ApprovalPolicy,
  ) {}

  /** The policy in force (revision 0: the default, never set). */
  async current(scope: Scope): Promise<ProjectPolicy> {
    return (await this.policies.load(projectPolicyStreamId(scope.tenantId, scope.projectId), scope)).state;
  }

  /** Does the project run approved registry versions only, by its policy or by the operator's setting? */
  approvalRequired(scope: Scope, policy: ProjectPolicy): boolean {
    return policy.approvedVersionsOnly || this.operator.requiresApproval(scope.tenantId, scope.projectId);
  }

  async view(scope: Scope): Promise<ProjectPolicyView> {
    return this.viewOf(scope, await this.current(scope));
  }

  async set(input: SetProjectPolicyRequest, context: CommandContext): Promise<ProjectPolicyView> {
    const settings = settingsOf(input);
    const reason = checkedOptionalText(input.reason, 'reason', 2_000);
    const streamId = projectPolicyStreamId(context.tenantId, context.projectId);
    const { state } = await this.policies.handle(streamId, { type: 'SetPolicy', settings, reason }, context);
    return this.viewOf(context, state);
  }

  private viewOf(scope: Scope, policy: ProjectPolicy): ProjectPolicyView {
    return {
      projectId: scope.projectId,
      ...policy,
      operatorRequiresApproval: this.operator.requiresApproval(scope.tenantId, scope.projectId),
    };
  }
}

/** The request's fields, their JSON types checked (the decider checks their values); left out: no limit. */
function settingsOf(input: SetProjectPolicyRequest): PolicySettings {
  return {
    allowedModels: stringsOrNull(input.allowedModels, 'allowedModels'),
    allowedMetrics: stringsOrNull(input.allowedMetrics, 'allowedMetrics'),
    dailyCapUsd: numberOrNull(input.dailyCapUsd, 'dailyCapUsd'),
    monthlyCapUsd: numberOrNull(input.monthlyCapUsd, 'monthlyCapUsd'),
    approvedVersionsOnly: booleanOrFalse(input.approvedVersionsOnly, 'approvedVersionsOnly'),
  };
}

function stringsOrNull(value: unknown, field: string): string[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || !value.every((entry) => typeof entry === 'string'))
    throw invalidInput(`${field}: a list of strings, or null for no limit`);
  return value;
}

function numberOrNull(value: unknown, field: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number') throw invalidInput(`${field}: a number of USD, or null for no cap`);
  return value;
}

function booleanOrFalse(value: unknown, field: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw invalidInput(`${field}: true or false`);
  return value;
}
