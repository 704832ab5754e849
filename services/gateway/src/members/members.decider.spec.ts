import {
  decideMembers,
  evolveMembersWith,
  MemberNotFoundError,
  membersStreamId,
  type MembersState,
} from './members.decider.js';

describe('project members decider', () => {
  const none: MembersState = new Map();

  it('grants a role, changes it, and grants nothing when the role is already held', () => {
    const granted = decideMembers({ type: 'Grant', subject: 'alice', role: 'editor' }, none);
    expect(granted).toEqual([{ type: 'ProjectRoleGranted', payload: { subject: 'alice', role: 'editor' } }]);
    const state = evolveMembersWith(none, granted);
    expect(decideMembers({ type: 'Grant', subject: 'alice', role: 'editor' }, state)).toEqual([]);
    const promoted = evolveMembersWith(state, decideMembers({ type: 'Grant', subject: 'alice', role: 'admin' }, state));
    expect(promoted.get('alice')).toBe('admin');
  });

  it('revokes the role held, and refuses to revoke a stranger', () => {
    const state = evolveMembersWith(none, decideMembers({ type: 'Grant', subject: 'bob', role: 'viewer' }, none));
    expect(decideMembers({ type: 'Revoke', subject: 'bob' }, state)).toEqual([
      { type: 'ProjectRoleRevoked', payload: { subject: 'bob', role: 'viewer' } },
    ]);
    expect(() => decideMembers({ type: 'Revoke', subject: 'carol' }, state)).toThrow(MemberNotFoundError);
    expect(evolveMembersWith(state, decideMembers({ type: 'Revoke', subject: 'bob' }, state)).has('bob')).toBe(false);
  });

  it('keeps tenants and projects apart in stream ids, even when their names run together', () => {
    expect(membersStreamId('a', 'b-c')).not.toBe(membersStreamId('a-b', 'c'));
    expect(membersStreamId('acme', 'search')).toMatch(/^members-[0-9a-f]{32}$/);
  });
});
