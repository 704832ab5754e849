/**
 * Whose call it is: the tenant and project a judge call is made for. Shared LLM state (spend,
 * cached answers) is kept per owner, so two tenants that both have a project named `default`
 * never share a budget or see each other's answers.
 */
export interface LlmOwner {
  tenantId: string;
  projectId: string;
}

/** An owner with an empty id would collide with rows that belong to no tenant (legacy or global). */
export function assertOwner(owner: LlmOwner): void {
  if (owner.tenantId === '' || owner.projectId === '')
    throw new TypeError('an LLM call needs its tenant and project ids (neither may be empty)');
}

export function describeOwner(owner: LlmOwner): string {
  return `project ${owner.projectId} of tenant ${owner.tenantId}`;
}
