import { ACTIONS, isAllowed, PROJECT_ROLES, type Action, type ProjectRole } from './role-matrix.js';

/** The whole matrix, written out: a change to who may do what shows up here, cell by cell. */
const EXPECTED: Record<Action, Record<ProjectRole | 'auditor', boolean>> = {
  'runs.read': { viewer: true, editor: true, approver: true, admin: true, auditor: false },
  'runs.submit': { viewer: false, editor: true, approver: true, admin: true, auditor: false },
  'runs.cancel': { viewer: false, editor: true, approver: true, admin: true, auditor: false },
  'runs.retry': { viewer: false, editor: true, approver: true, admin: true, auditor: false },
  'registry.read': { viewer: true, editor: true, approver: true, admin: true, auditor: false },
  'registry.register': { viewer: false, editor: true, approver: true, admin: true, auditor: false },
  'registry.approve': { viewer: false, editor: false, approver: true, admin: true, auditor: false },
  'memory.read': { viewer: true, editor: true, approver: true, admin: true, auditor: false },
  'memory.verify': { viewer: false, editor: false, approver: true, admin: true, auditor: false },
  'memory.forget': { viewer: false, editor: false, approver: false, admin: true, auditor: false },
  'notifications.read': { viewer: true, editor: true, approver: true, admin: true, auditor: false },
  'notifications.manage': { viewer: false, editor: false, approver: false, admin: true, auditor: false },
  'access.keys.manage': { viewer: false, editor: false, approver: false, admin: true, auditor: false },
  'access.members.manage': { viewer: false, editor: false, approver: false, admin: true, auditor: false },
  'access.read': { viewer: false, editor: false, approver: false, admin: true, auditor: false },
  'audit.read': { viewer: false, editor: false, approver: false, admin: false, auditor: true },
  'audit.replay': { viewer: false, editor: false, approver: false, admin: false, auditor: true },
  'audit.export': { viewer: false, editor: false, approver: false, admin: false, auditor: true },
  'audit.retention': { viewer: false, editor: false, approver: false, admin: false, auditor: true },
  'audit.forget': { viewer: false, editor: false, approver: false, admin: false, auditor: true },
};

describe('role matrix', () => {
  it('covers every action', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(Object.keys(ACTIONS).sort());
  });

  const cells = (Object.keys(EXPECTED) as Action[]).flatMap((action) =>
    [...PROJECT_ROLES, 'auditor' as const].map((role) => ({ action, role, allowed: EXPECTED[action][role] })),
  );

  it.each(cells)('$role → $action: $allowed', ({ action, role, allowed }) => {
    const projectRoles = role === 'auditor' ? [] : [role];
    const tenantRoles = role === 'auditor' ? (['auditor'] as const) : [];
    expect(isAllowed(action, projectRoles, tenantRoles)).toBe(allowed);
  });

  it('gives nothing to someone with no role', () => {
    for (const action of Object.keys(ACTIONS) as Action[]) expect(isAllowed(action, [], [])).toBe(false);
  });
});
