import type { CreateRouteRequest, Destination } from '@evalvault/service-apis';
import { validateRoute } from './route.validation.js';

describe('route validation of a Jira destination', () => {
  const policy = { egressAllow: ['acme.atlassian.net'], secretRefPrefixes: ['env:EVALVAULT_SECRET_'] };
  const acme = { tenantId: 'acme', projectId: 'checkout' };
  const jira = (extra: Partial<Extract<Destination, { type: 'jira' }>> = {}): CreateRouteRequest => ({
    name: 'tickets',
    on: ['GateFailed'],
    destination: {
      type: 'jira',
      baseUrl: 'https://acme.atlassian.net/',
      projectKey: 'OPS',
      issueType: 'Bug',
      tokenRef: 'env:EVALVAULT_SECRET_ACME__CHECKOUT__JIRA_TOKEN',
      ...extra,
    },
  });

  it('keeps a named resolve transition, and stores none when it is not given', () => {
    expect(validateRoute(jira({ resolveTransition: ' Close Issue ' }), policy, acme).destination).toMatchObject({
      resolveTransition: 'Close Issue',
    });
    expect(validateRoute(jira(), policy, acme).destination).not.toHaveProperty('resolveTransition');
    expect(validateRoute(jira({ resolveTransition: null }), policy, acme).destination).not.toHaveProperty(
      'resolveTransition',
    );
  });

  it('refuses a blank resolve transition, naming the field', () => {
    expect(() => validateRoute(jira({ resolveTransition: '  ' }), policy, acme)).toThrow(
      'destination.resolveTransition must name a workflow transition, e.g. Done',
    );
  });

  it('takes no GatePassed on a Jira route: the pass closes the issue by itself', () => {
    expect(() => validateRoute({ ...jira(), on: ['GatePassed'] }, policy, acme)).toThrow(
      'on: a jira route takes GateFailed, RunFailed, DriftDetected, not GatePassed',
    );
  });
});
