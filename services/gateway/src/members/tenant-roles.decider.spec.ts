import { membersStreamId } from './members.decider.js';
import {
  decideTenantRoles,
  evolveTenantRolesWith,
  TenantRoleNotFoundError,
  tenantRolesStreamId,
  type TenantRolesState,
} from './tenant-roles.decider.js';

describe('tenant roles decider', () => {
  const none: TenantRolesState = new Set();

  it('grants each tenant role once, and both to one subject', () => {
    const granted = decideTenantRoles({ type: 'Grant', subject: 'alice', role: 'auditor' }, none);
    expect(granted).toEqual([{ type: 'ProjectRoleGranted', payload: { subject: 'alice', role: 'auditor' } }]);
    const state = evolveTenantRolesWith(none, granted);
    expect(decideTenantRoles({ type: 'Grant', subject: 'alice', role: 'auditor' }, state)).toEqual([]);
    expect(decideTenantRoles({ type: 'Grant', subject: 'alice', role: 'audit-admin' }, state)).toHaveLength(1);
  });

  it('revokes a role held, and refuses one that is not', () => {
    const state = evolveTenantRolesWith(
      none,
      decideTenantRoles({ type: 'Grant', subject: 'bob', role: 'audit-admin' }, none),
    );
    expect(() => decideTenantRoles({ type: 'Revoke', subject: 'bob', role: 'auditor' }, state)).toThrow(
      TenantRoleNotFoundError,
    );
    const revoked = decideTenantRoles({ type: 'Revoke', subject: 'bob', role: 'audit-admin' }, state);
    expect(revoked).toEqual([{ type: 'ProjectRoleRevoked', payload: { subject: 'bob', role: 'audit-admin' } }]);
    expect(evolveTenantRolesWith(state, revoked).size).toBe(0);
  });

  it('keeps the tenant’s roles on a stream no project can have', () => {
    expect(tenantRolesStreamId('acme')).toBe(membersStreamId('acme', '*'));
    expect(tenantRolesStreamId('acme')).not.toBe(membersStreamId('acme', 'default'));
  });
});
