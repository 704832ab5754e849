/**
 * Who may do what: every gateway route names one action; this file alone says which
 * roles hold it. Project roles are cumulative (an editor can view, an admin can do what
 * an approver can); `auditor` is a tenant role that reads the audit log and nothing else.
 */
export const PROJECT_ROLES = ['viewer', 'editor', 'approver', 'admin'] as const;
export type ProjectRole = (typeof PROJECT_ROLES)[number];
export type TenantRole = 'auditor';
export type Role = ProjectRole | TenantRole;

export const ACTIONS = {
  'runs.read': 'viewer',
  'runs.submit': 'editor',
  'runs.cancel': 'editor',
  'runs.retry': 'editor',
  'registry.read': 'viewer',
  'registry.register': 'editor',
  'registry.approve': 'approver',
  'memory.read': 'viewer',
  'memory.verify': 'approver',
  'memory.forget': 'admin',
  'notifications.read': 'viewer',
  'notifications.manage': 'admin',
  'access.keys.manage': 'admin',
  'access.members.manage': 'admin',
  'access.read': 'admin',
  'audit.read': 'auditor',
  'audit.replay': 'auditor',
  'audit.export': 'auditor',
  'audit.retention': 'auditor',
  'audit.forget': 'auditor',
} as const satisfies Record<string, Role>;

export type Action = keyof typeof ACTIONS;

const RANK: Record<ProjectRole, number> = { viewer: 1, editor: 2, approver: 3, admin: 4 };

/** Does any of these roles (held in the project, or in the tenant for `auditor`) allow the action? */
export function isAllowed(
  action: Action,
  projectRoles: readonly ProjectRole[],
  tenantRoles: readonly TenantRole[],
): boolean {
  const required = ACTIONS[action];
  if (required === 'auditor') return tenantRoles.includes('auditor');
  return projectRoles.some((role) => RANK[role] >= RANK[required]);
}
