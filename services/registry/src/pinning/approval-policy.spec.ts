import { ApprovalPolicy } from './approval-policy.js';

describe('approval policy', () => {
  it('requires approval in the projects it names, every project of a tenant, or everywhere', () => {
    const policy = ApprovalPolicy.parse('acme/checkout, globex/*');
    expect(policy.requiresApproval('acme', 'checkout')).toBe(true);
    expect(policy.requiresApproval('acme', 'search')).toBe(false);
    expect(policy.requiresApproval('globex', 'anything')).toBe(true);
    expect(ApprovalPolicy.parse('*').requiresApproval('initech', 'default')).toBe(true);
  });

  it('requires nothing when unset, and refuses an entry it cannot read, naming the variable', () => {
    expect(ApprovalPolicy.parse(undefined).requiresApproval('acme', 'checkout')).toBe(false);
    expect(ApprovalPolicy.NONE.requiresApproval('acme', 'checkout')).toBe(false);
    expect(() => ApprovalPolicy.parse('acme')).toThrow(/REGISTRY_APPROVAL_REQUIRED.*"acme"/);
    expect(() => ApprovalPolicy.parse('*/checkout')).toThrow(/REGISTRY_APPROVAL_REQUIRED/);
  });
});
