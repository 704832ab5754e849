/**
 * Who may do what: every gateway route names one action; this file alone says which
 * roles hold it. Project roles are cumulative (an editor can view, an admin can do what
 * an approver can). The audit log's roles are tenant roles, cumulative too: an `auditor`
 * reads, replays and exports it and nothing else; an `audit-admin` may also change its
 * retention (a shortening waits, see the audit service) and forget subjects (never itself).
 * No project role, not even admin, reaches the audit log.
 */
export const PROJECT_ROLES = ['viewer', 'editor', 'approver', 'admin'] as const;
export type ProjectRole = (typeof PROJECT_ROLES)[number];
export const TENANT_ROLES = ['auditor', 'audit-admin'] as const;
export type TenantRole = (typeof TENANT_ROLES)[number];
export type Role = ProjectRole | TenantRole;

export const ACTIONS = {
  /** Reading one's own identity and roles (GET /v1/me): any authenticated caller, see SELF_ACTIONS. */
  'identity.read': 'viewer',
  'runs.read': 'viewer',
  'runs.submit': 'editor',
  'runs.cancel': 'editor',
  'runs.retry': 'editor',
  /** Scheduled evaluations: editors create, pause, resume and delete them (each slot submits a run). */
  'schedules.read': 'viewer',
  'schedules.manage': 'editor',
  'registry.read': 'viewer',
  'registry.register': 'editor',
  'registry.approve': 'approver',
  /** Rejecting a version (with a reason) is the approver's call, like approving it. */
  'registry.reject': 'approver',
  /** A project's policy (allowed models and metrics, spending caps): everyone in the project reads it. */
  'policy.read': 'viewer',
  'policy.manage': 'admin',
  'memory.read': 'viewer',
  'memory.verify': 'approver',
  'memory.forget': 'admin',
  /** Who asked memory to forget what kind of thing, and when: the admins who file deletion requests. */
  'memory.deletions.read': 'admin',
  'notifications.read': 'viewer',
  'notifications.manage': 'admin',
  /** Tracker exports (Langfuse, MLflow, OTLP): listed like routes, managed by admins (they send data out). */
  'exports.read': 'viewer',
  'exports.manage': 'admin',
  'access.keys.manage': 'admin',
  'access.members.manage': 'admin',
  'access.read': 'admin',
  /** Granting and revoking tenant roles: admins of the tenant's administrative project (see below). */
  'access.tenant-roles.manage': 'admin',
  'audit.read': 'auditor',
  'audit.replay': 'auditor',
  'audit.export': 'auditor',
  'audit.retention.read': 'auditor',
  'audit.retention': 'audit-admin',
  'audit.forget': 'audit-admin',
} as const satisfies Record<string, Role>;

export type Action = keyof typeof ACTIONS;

/**
 * The project whose admins administer the tenant's roles (grant `auditor` and `audit-admin` to
 * members and keys): `default`, the bootstrap key's. An admin of any other project cannot give
 * itself the tenant-wide audit log.
 */
export const TENANT_ADMIN_PROJECT = 'default';

/** Actions decided by the caller's roles in TENANT_ADMIN_PROJECT, whatever the route's path names. */
export const TENANT_ADMIN_ACTIONS: ReadonlySet<Action> = new Set<Action>(['access.tenant-roles.manage']);

/** Actions every authenticated caller holds, whatever its roles (an auditor-only key reads its own roles too). */
export const SELF_ACTIONS: ReadonlySet<Action> = new Set<Action>(['identity.read']);

const RANK: Record<ProjectRole, number> = { viewer: 1, editor: 2, approver: 3, admin: 4 };
const TENANT_RANK: Record<TenantRole, number> = { auditor: 1, 'audit-admin': 2 };

const isTenantRole = (role: Role): role is TenantRole => Object.hasOwn(TENANT_RANK, role);

/** Does any of these roles (held in the project, or in the tenant for the audit roles) allow the action? */
export function isAllowed(
  action: Action,
  projectRoles: readonly ProjectRole[],
  tenantRoles: readonly TenantRole[],
): boolean {
  if (SELF_ACTIONS.has(action)) return true;
  const required: Role = ACTIONS[action];
  if (isTenantRole(required))
    return tenantRoles.some((role) => Object.hasOwn(TENANT_RANK, role) && TENANT_RANK[role] >= TENANT_RANK[required]);
  return projectRoles.some((role) => Object.hasOwn(RANK, role) && RANK[role] >= RANK[required]);
}
