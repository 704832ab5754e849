import { ConfigError } from '@evalvault/platform';

/**
 * Which projects run approved registry versions only: entries `<tenant>/<project>`,
 * `<tenant>/*` (every project of a tenant) or `*` (every project). A run of such a project
 * that names an unapproved dataset, prompt or model profile version is refused.
 */
export class ApprovalPolicy {
  private constructor(private readonly entries: ReadonlySet<string>) {}

  static readonly NONE = new ApprovalPolicy(new Set());

  /** REGISTRY_APPROVAL_REQUIRED: comma-separated entries; empty or unset: no project requires approval. */
  static parse(value: string | undefined, variable = 'REGISTRY_APPROVAL_REQUIRED'): ApprovalPolicy {
    const entries = (value ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    for (const entry of entries) {
      if (entry !== '*' && !/^[^/*\s]+\/([^/*\s]+|\*)$/.test(entry))
        throw new ConfigError(variable, `entry "${entry}" is not <tenant>/<project>, <tenant>/* or *`);
    }
    return new ApprovalPolicy(new Set(entries));
  }

  requiresApproval(tenantId: string, projectId: string): boolean {
    const { entries } = this;
    return entries.has('*') || entries.has(`${tenantId}/*`) || entries.has(`${tenantId}/${projectId}`);
  }
}
