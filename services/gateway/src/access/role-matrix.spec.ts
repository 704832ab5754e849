import { TENANT_ROLES as PRINCIPAL_TENANT_ROLES } from '../auth/principal.js';
import {
  ACTIONS,
  isAllowed,
  PROJECT_ROLES,
  SELF_ACTIONS,
  TENANT_ROLES,
  type Action,
  type ProjectRole,
  type TenantRole,
} from './role-matrix.js';

/** The whole matrix, written out: a change to who may do what shows up here, cell by cell. */
const EXPECTED: Record<Action, Record<ProjectRole | TenantRole, boolean>> = {
  'identity.read': { viewer: true, editor: true, approver: true, admin: true, auditor: true, 'audit-admin': true },
  'runs.read': { viewer: true, editor: true, approver: true, admin: true, auditor: false, 'audit-admin': false },
  'runs.submit': { viewer: false, editor: true, approver: true, admin: true, auditor: false, 'audit-admin': false },
  'runs.cancel': { viewer: false, editor: true, approver: true, admin: true, auditor: false, 'audit-admin': false },
  'runs.retry': { viewer: false, editor: true, approver: true, admin: true, auditor: false, 'audit-admin': false },
  'schedules.read': { viewer: true, editor: true, approver: true, admin: true, auditor: false, 'audit-admin': false },
  'schedules.manage': {
    viewer: false,
    editor: true,
    approver: true,
    admin: true,
    auditor: false,
    'audit-admin': false,
  },
  'registry.read': { viewer: true, editor: true, approver: true, admin: true, auditor: false, 'audit-admin': false },
  'registry.register': {
    viewer: false,
    editor: true,
    approver: true,
    admin: true,
    auditor: false,
    'audit-admin': false,
  },
  'registry.approve': {
    viewer: false,
    editor: false,
    approver: true,
    admin: true,
    auditor: false,
    'audit-admin': false,
  },
  'registry.reject': {
    viewer: false,
    editor: false,
    approver: true,
    admin: true,
    auditor: false,
    'audit-admin': false,
  },
  'policy.read': { viewer: true, editor: true, approver: true, admin: true, auditor: false, 'audit-admin': false },
  'policy.manage': { viewer: false, editor: false, approver: false, admin: true, auditor: false, 'audit-admin': false },
  'memory.read': { viewer: true, editor: true, approver: true, admin: true, auditor: false, 'audit-admin': false },
  'memory.verify': { viewer: false, editor: false, approver: true, admin: true, auditor: false, 'audit-admin': false },
  'memory.forget': { viewer: false, editor: false, approver: false, admin: true, auditor: false, 'audit-admin': false },
  'memory.deletions.read': {
    viewer: false,
    editor: false,
    approver: false,
    admin: true,
    auditor: false,
    'audit-admin': false,
  },
  'notifications.read': {
    viewer: true,
    editor: true,
    approver: true,
    admin: true,
    auditor: false,
    'audit-admin': false,
  },
  'notifications.manage': {
    viewer: false,
    editor: false,
    approver: false,
    admin: true,
    auditor: false,
    'audit-admin': false,
  },
  'exports.read': { viewer: true, editor: true, approver: true, admin: true, auditor: false, 'audit-admin': false },
  'exports.manage': {
    viewer: false,
    editor: false,
    approver: false,
    admin: true,
    auditor: false,
    'audit-admin': false,
  },
  'access.keys.manage': {
    viewer: false,
    editor: false,
    approver: false,
    admin: true,
    auditor: false,
    'audit-admin': false,
  },
  'access.members.manage': {
    viewer: false,
    editor: false,
    approver: false,
    admin: true,
    auditor: false,
    'audit-admin': false,
  },
  'access.read': { viewer: false, editor: false, approver: false, admin: true, auditor: false, 'audit-admin': false },
  'access.tenant-roles.manage': {
    viewer: false,
    editor: false,
    approver: false,
    admin: true,
    auditor: false,
    'audit-admin': false,
  },
  'audit.read': { viewer: false, editor: false, approver: false, admin: false, auditor: true, 'audit-admin': true },
  'audit.replay': { viewer: false, editor: false, approver: false, admin: false, auditor: true, 'audit-admin': true },
  'audit.export': { viewer: false, editor: false, approver: false, admin: false, auditor: true, 'audit-admin': true },
  'audit.retention.read': {
    viewer: false,
    editor: false,
    approver: false,
    admin: false,
    auditor: true,
    'audit-admin': true,
  },
  'audit.retention': {
    viewer: false,
    editor: false,
    approver: false,
    admin: false,
    auditor: false,
    'audit-admin': true,
  },
  'audit.forget': { viewer: false, editor: false, approver: false, admin: false, auditor: false, 'audit-admin': true },
};

describe('role matrix', () => {
  it('covers every action', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(Object.keys(ACTIONS).sort());
  });

  const cells = (Object.keys(EXPECTED) as Action[]).flatMap((action) =>
    [...PROJECT_ROLES, ...TENANT_ROLES].map((role) => ({ action, role, allowed: EXPECTED[action][role] })),
  );
  const isTenantRole = (role: ProjectRole | TenantRole): role is TenantRole =>
    (TENANT_ROLES as readonly string[]).includes(role);

  it.each(cells)('$role → $action: $allowed', ({ action, role, allowed }) => {
    const projectRoles = isTenantRole(role) ? [] : [role];
    const tenantRoles = isTenantRole(role) ? [role] : [];
    expect(isAllowed(action, projectRoles, tenantRoles)).toBe(allowed);
  });

  it('gives nothing to someone with no role', () => {
    for (const action of Object.keys(ACTIONS) as Action[]) {
      expect(isAllowed(action, [], [])).toBe(SELF_ACTIONS.has(action));
    }
  });

  it('leaves the auditor read-only: only an audit-admin changes retention or forgets, no project admin does', () => {
    for (const action of ['audit.retention', 'audit.forget'] as const) {
      expect(isAllowed(action, [], ['auditor'])).toBe(false);
      expect(isAllowed(action, ['admin'], ['auditor'])).toBe(false);
      expect(isAllowed(action, [], ['audit-admin'])).toBe(true);
    }
    for (const action of ['audit.read', 'audit.replay', 'audit.export', 'audit.retention.read'] as const)
      expect(isAllowed(action, ['admin'], [])).toBe(false);
  });

  it('knows the same tenant roles as the authenticator', () => {
    expect([...PRINCIPAL_TENANT_ROLES]).toEqual([...TENANT_ROLES]);
  });
});
