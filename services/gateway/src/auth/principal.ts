/** Project roles, weakest first (the role matrix in ../access decides what each may do). */
export const ROLES = ['viewer', 'editor', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Held across the whole tenant, not per project, weakest first: `auditor` reads, replays and
 * exports the audit log; `audit-admin` may also change its retention and forget subjects.
 */
export const TENANT_ROLES = ['auditor', 'audit-admin'] as const;
export type TenantRole = (typeof TENANT_ROLES)[number];

/** Who is calling, as established from the credential alone (the tenant never comes from the URL). */
export interface Principal {
  tenantId: string;
  /** OIDC `sub`, or `api-key:<keyId>` for an API key. */
  subject: string;
  authMethod: 'oidc' | 'api_key';
  apiKeyId: string | null;
  /** project id → roles in that project. */
  projectRoles: Record<string, Role[]>;
  tenantRoles: TenantRole[];
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isTenantRole(value: unknown): value is TenantRole {
  return typeof value === 'string' && (TENANT_ROLES as readonly string[]).includes(value);
}
