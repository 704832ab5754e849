import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CreateRouteRequest } from '@evalvault/service-apis';
import { NotifierErrorCode } from '../notifier.errors.js';
import { validateRoute } from './route.validation.js';
import { fileEscapesScope, isInScope, refOutOfScope, scopedEnvName } from './secret-scope.js';

describe('secret scope', () => {
  const prefixes = ['env:EVALVAULT_SECRET_', 'file:/run/secrets/'];
  const acme = { tenantId: 'acme', projectId: 'checkout' };

  it('accepts the route’s own secrets of its destination kind, as env names and as files', () => {
    expect(isInScope('env:EVALVAULT_SECRET_ACME__CHECKOUT__SLACK_WEBHOOK', acme, 'slack', prefixes)).toBe(true);
    expect(isInScope('env:EVALVAULT_SECRET_ACME__CHECKOUT__PAGERDUTY_KEY', acme, 'pagerduty', prefixes)).toBe(true);
    expect(isInScope('file:/run/secrets/acme/checkout/jira/token', acme, 'jira', prefixes)).toBe(true);
    expect(
      isInScope(
        'env:EVALVAULT_SECRET_TENANT_7F3A__RAG_QA__TEAMS_URL',
        { tenantId: 'tenant-7f3a', projectId: 'rag-qa' },
        'teams',
        prefixes,
      ),
    ).toBe(true);
    expect(scopedEnvName({ tenantId: 'tenant-7f3a', projectId: 'rag-qa' }, 'teams', 'URL')).toBe(
      'EVALVAULT_SECRET_TENANT_7F3A__RAG_QA__TEAMS_URL',
    );
  });

  it('refuses another tenant’s or another project’s secret', () => {
    expect(isInScope('env:EVALVAULT_SECRET_GLOBEX__CHECKOUT__SLACK_WEBHOOK', acme, 'slack', prefixes)).toBe(false);
    expect(isInScope('env:EVALVAULT_SECRET_ACME__SEARCH__SLACK_WEBHOOK', acme, 'slack', prefixes)).toBe(false);
    expect(isInScope('file:/run/secrets/globex/checkout/slack/webhook', acme, 'slack', prefixes)).toBe(false);
    expect(isInScope('file:/run/secrets/acme/search/slack/webhook', acme, 'slack', prefixes)).toBe(false);
    // Upper-casing and `-` as `_` never make two scopes one: "a-b"/"c" and "a"/"b-c" differ by where `__` is.
    expect(
      isInScope('env:EVALVAULT_SECRET_A__B_C__SLACK_URL', { tenantId: 'a-b', projectId: 'c' }, 'slack', prefixes),
    ).toBe(false);
    expect(
      isInScope('env:EVALVAULT_SECRET_A_B__C__SLACK_URL', { tenantId: 'a', projectId: 'b-c' }, 'slack', prefixes),
    ).toBe(false);
  });

  it('refuses a secret of another destination kind: a Slack webhook URL is no PagerDuty routing key', () => {
    expect(isInScope('env:EVALVAULT_SECRET_ACME__CHECKOUT__SLACK_WEBHOOK', acme, 'pagerduty', prefixes)).toBe(false);
    expect(isInScope('file:/run/secrets/acme/checkout/teams/url', acme, 'slack', prefixes)).toBe(false);
    expect(
      refOutOfScope(
        { type: 'pagerduty', routingKeyRef: 'env:EVALVAULT_SECRET_ACME__CHECKOUT__SLACK_WEBHOOK' },
        acme,
        prefixes,
      ),
    ).toEqual({
      field: 'destination.routingKeyRef',
      ref: 'env:EVALVAULT_SECRET_ACME__CHECKOUT__SLACK_WEBHOOK',
      kind: 'pagerduty',
    });
  });

  it('refuses paths that leave the scope directory, the bare scope, and names outside the configured prefixes', () => {
    expect(
      isInScope(
        'file:/run/secrets/acme/checkout/slack/../../../globex/checkout/slack/webhook',
        acme,
        'slack',
        prefixes,
      ),
    ).toBe(false);
    expect(isInScope('file:/run/secrets/acme/checkout/slack/./webhook', acme, 'slack', prefixes)).toBe(false);
    expect(isInScope('file:/run/secrets/acme/checkout/slack/', acme, 'slack', prefixes)).toBe(false);
    expect(isInScope('env:EVALVAULT_SECRET_ACME__CHECKOUT__SLACK_', acme, 'slack', prefixes)).toBe(false);
    expect(isInScope('env:NOTIFY_ACME__CHECKOUT__SLACK_WEBHOOK', acme, 'slack', prefixes)).toBe(false);
    expect(isInScope('env:NOTIFY_ACME__CHECKOUT__SLACK_WEBHOOK', acme, 'slack', ['env:NOTIFY_'])).toBe(true);
  });

  it('gives ids that do not map one-to-one no env names, and ids that are no path segment no files', () => {
    expect(
      isInScope(
        'env:EVALVAULT_SECRET_ACME__CHECKOUT__SLACK_WEBHOOK',
        { tenantId: 'Acme', projectId: 'checkout' },
        'slack',
        prefixes,
      ),
    ).toBe(false);
    expect(
      isInScope(
        'file:/run/secrets/Acme/checkout/slack/webhook',
        { tenantId: 'Acme', projectId: 'checkout' },
        'slack',
        prefixes,
      ),
    ).toBe(true);
    expect(
      isInScope('file:/run/secrets/acme/slack/webhook', { tenantId: 'acme', projectId: '..' }, 'slack', prefixes),
    ).toBe(false);
  });

  it('refuses a file secret that links out of its scope directory, and takes links inside it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'secret-scope-'));
    try {
      const own = join(dir, 'acme', 'checkout', 'slack');
      const other = join(dir, 'globex', 'checkout', 'slack');
      await mkdir(join(own, '..data'), { recursive: true });
      await mkdir(other, { recursive: true });
      await writeFile(join(other, 'webhook'), 'https://hooks.slack.com/services/T/B/globex');
      await writeFile(join(own, '..data', 'webhook'), 'https://hooks.slack.com/services/T/B/acme');
      await symlink(join(other, 'webhook'), join(own, 'stolen'));
      await symlink(join('..data', 'webhook'), join(own, 'webhook'));
      const local = [`file:${dir}/`];
      // In scope by name; the link is what gives it away.
      expect(isInScope(`file:${own}/stolen`, acme, 'slack', local)).toBe(true);
      expect(await fileEscapesScope(`file:${own}/stolen`, acme, 'slack', local)).toBe(true);
      expect(await fileEscapesScope(`file:${own}/webhook`, acme, 'slack', local)).toBe(false);
      // A missing file: the resolver reports it.
      expect(await fileEscapesScope(`file:${own}/missing`, acme, 'slack', local)).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('route validation of secret references', () => {
  const policy = {
    egressAllow: ['*.slack.com', 'events.pagerduty.com'],
    secretRefPrefixes: ['env:EVALVAULT_SECRET_', 'file:/run/secrets/'],
  };
  const acme = { tenantId: 'acme', projectId: 'checkout' };
  const pager = (routingKeyRef: string): CreateRouteRequest => ({
    name: 'on-call',
    on: ['GateFailed'],
    destination: { type: 'pagerduty', routingKeyRef },
  });

  it('refuses another tenant’s secret or another kind’s with a 400 naming the field and where secrets may be', () => {
    expect(() => validateRoute(pager('env:EVALVAULT_SECRET_GLOBEX__CHECKOUT__PAGERDUTY_KEY'), policy, acme)).toThrow(
      expect.objectContaining({
        code: NotifierErrorCode.InvalidInput,
        message:
          'destination.routingKeyRef must name a pagerduty secret of this tenant and project: ' +
          'env:EVALVAULT_SECRET_ACME__CHECKOUT__PAGERDUTY_<name> or file:/run/secrets/acme/checkout/pagerduty/<name>',
      }),
    );
    expect(() => validateRoute(pager('env:EVALVAULT_SECRET_ACME__CHECKOUT__SLACK_WEBHOOK'), policy, acme)).toThrow(
      /^destination.routingKeyRef must name a pagerduty secret/,
    );
    expect(() =>
      validateRoute(
        pager('file:/run/secrets/acme/checkout/pagerduty/../../../globex/checkout/pagerduty/key'),
        policy,
        acme,
      ),
    ).toThrow(/destination.routingKeyRef must not contain "\.\."/);
    expect(
      validateRoute(pager('env:EVALVAULT_SECRET_ACME__CHECKOUT__PAGERDUTY_KEY'), policy, acme).destination,
    ).toEqual({
      type: 'pagerduty',
      routingKeyRef: 'env:EVALVAULT_SECRET_ACME__CHECKOUT__PAGERDUTY_KEY',
      eventsUrl: 'https://events.pagerduty.com/v2/enqueue',
    });
  });

  it('keeps the global prefix check, and says so when a tenant can name no secret at all', () => {
    expect(() => validateRoute(pager('env:DATABASE_PASSWORD'), policy, acme)).toThrow(
      /must start with one of env:EVALVAULT_SECRET_, file:\/run\/secrets\//,
    );
    expect(() =>
      validateRoute(
        pager('env:EVALVAULT_SECRET_X'),
        { ...policy, secretRefPrefixes: ['env:EVALVAULT_SECRET_'] },
        { tenantId: 'Acme Corp', projectId: 'checkout' },
      ),
    ).toThrow(/this tenant and project can name no secret/);
  });
});
