import { randomBytes, randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import {
  busMetrics,
  HttpServiceClient,
  InProcessBroker,
  InProcessEventServer,
  InternalIdentitySigner,
  InternalIdentityVerifier,
  PostgresEventStore,
  registerInternalApi,
  secretResolver,
  type InternalIdentity,
  type ServiceClientError,
} from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import type { CreateRouteRequest, NotificationsOperations } from '@evalvault/service-apis';
import { InProcessDeadLetterSink } from '../delivery/dead-letters.js';
import { buildNotifier } from '../notifier.composition.js';
import { scopedEnvName } from '../routes/secret-scope.js';
import { migrateNotifierSchema, TEST_DELIVERY } from '../testing/in-process-notifier.js';

/** The notifier's internal API over real HTTP, as the gateway calls it: routes and the delivery log. */
describe('notifications internal API', () => {
  const secret = randomBytes(32);
  let fastify: FastifyInstance;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let dataSource: DataSource;
  let client: HttpServiceClient<NotificationsOperations>;
  const identity = (tenantId: string): InternalIdentity => ({
    tenantId,
    projectId: 'checkout',
    roles: ['admin'],
    actor: { subject: 'alice', authMethod: 'oidc', apiKeyId: null },
  });
  const codeOf = (promise: Promise<unknown>): Promise<string> =>
    promise.then(
      () => 'resolved',
      (error: ServiceClientError) => `${error.code} ${error.status} ${error.message}`,
    );
  /** The notifier's environment: each test's tenant puts its secrets under names scoped to it. */
  const env: Record<string, string> = {};
  const secretOf = (tenantId: string, kind: 'slack' | 'jira', name: string, value: string): string => {
    const envName = scopedEnvName({ tenantId, projectId: 'checkout' }, kind, name);
    env[envName] = value;
    return `env:${envName}`;
  };
  const slackOf = (tenantId: string): CreateRouteRequest => ({
    name: 'Team alerts',
    on: ['GateFailed', 'GatePassed'],
    destination: {
      type: 'slack',
      webhookUrlRef: secretOf(tenantId, 'slack', 'WEBHOOK', 'https://hooks.slack.com/services/T/B/secret'),
    },
  });
  const jiraOf = (tenantId: string): CreateRouteRequest => ({
    name: 'ops',
    on: ['GateFailed'],
    severity: 'critical',
    destination: {
      type: 'jira',
      baseUrl: 'https://acme.atlassian.net/',
      projectKey: 'OPS',
      issueType: 'Bug',
      tokenRef: secretOf(tenantId, 'jira', 'TOKEN', 'token'),
    },
  });

  beforeAll(async () => {
    await migrateNotifierSchema(testDatabaseUrl());
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 4 });
    dataSource = await new DataSource({ type: 'postgres', url: testDatabaseUrl(), logging: false }).initialize();
    store = new PostgresEventStore(pool);
    const broker = new InProcessBroker();
    const logger = pino({ level: 'silent' });
    const registry = new Registry();
    const notifier = buildNotifier(
      {
        dataSource,
        store,
        deadLetters: new InProcessDeadLetterSink(broker),
        logger,
        registry,
        secrets: secretResolver(env),
        // Never started here.
        serverFor: (groupId, transportId) =>
          new InProcessEventServer({ broker, groupId, transportId, logger, metrics: busMetrics(registry) }),
      },
      {
        egressAllow: ['*.slack.com', 'acme.atlassian.net', 'events.pagerduty.com'],
        secretRefPrefixes: ['env:EVALVAULT_SECRET_'],
        publicUrl: () => 'https://evalvault.example.com',
        groupPrefix: 'unused',
        consumerStart: 'latest',
        delivery: TEST_DELIVERY,
      },
    );
    fastify = Fastify();
    registerInternalApi(fastify, {
      handlers: notifier.operations,
      verifier: new InternalIdentityVerifier({ secret, serviceName: 'notifier' }),
    });
    const address = await fastify.listen({ port: 0, host: '127.0.0.1' });
    client = new HttpServiceClient<NotificationsOperations>({
      serviceName: 'notifier',
      baseUrl: address,
      signer: new InternalIdentitySigner({ secret }),
    });
  }, 60_000);

  afterAll(async () => {
    await fastify.close();
    await store.close();
    await pool.end();
    await dataSource.destroy();
  });

  it('creates, lists, gets and deletes routes of the identity’s tenant and project only', async () => {
    const tenant = `tenant-${randomUUID()}`;
    const [slack, jira] = [slackOf(tenant), jiraOf(tenant)];
    const created = await client.call('createRoute', slack, identity(tenant));
    expect(created).toMatchObject({
      name: 'Team alerts',
      on: ['GateFailed', 'GatePassed'],
      severity: 'error',
      projectId: 'checkout',
      createdBy: 'alice',
      destination: slack.destination,
    });
    expect(await client.call('createRoute', slack, identity(tenant))).toEqual(created); // a retried request
    const ops = await client.call('createRoute', jira, identity(tenant));
    expect(ops.destination).toEqual({ ...jira.destination, baseUrl: 'https://acme.atlassian.net', emailRef: null });
    expect((await client.call('listRoutes', {}, identity(tenant))).items.map((route) => route.name)).toEqual([
      'ops',
      'Team alerts',
    ]);
    expect(await client.call('getRoute', { routeId: ops.routeId }, identity(tenant))).toEqual(ops);

    const stranger = identity(`tenant-${randomUUID()}`);
    expect(await codeOf(client.call('getRoute', { routeId: ops.routeId }, stranger))).toMatch(/^NOT_FOUND 404/);
    expect(await codeOf(client.call('deleteRoute', { routeId: ops.routeId }, stranger))).toMatch(/^NOT_FOUND 404/);
    expect((await client.call('listRoutes', {}, stranger)).items).toEqual([]);

    expect(await codeOf(client.call('createRoute', { ...slack, severity: 'critical' }, identity(tenant)))).toMatch(
      /^CONFLICT 409 .*already exists/,
    );
    expect(await client.call('deleteRoute', { routeId: ops.routeId }, identity(tenant))).toEqual(ops);
    expect(await codeOf(client.call('getRoute', { routeId: ops.routeId }, identity(tenant)))).toMatch(/^NOT_FOUND 404/);
    expect((await client.call('listRoutes', {}, identity(tenant))).items.map((route) => route.name)).toEqual([
      'Team alerts',
    ]);
  });

  it('refuses hosts off the egress allow-list, unresolvable or forbidden secrets, and tickets on passes', async () => {
    const tenantId = `tenant-${randomUUID()}`;
    const tenant = identity(tenantId);
    const [slack, jira] = [slackOf(tenantId), jiraOf(tenantId)];
    const slackWith = (webhookUrlRef: string): CreateRouteRequest => ({
      ...slack,
      destination: { type: 'slack', webhookUrlRef },
    });
    expect(
      await codeOf(
        client.call(
          'createRoute',
          {
            ...jira,
            destination: { ...jira.destination, baseUrl: 'https://jira.evil.example.com' },
          } as CreateRouteRequest,
          tenant,
        ),
      ),
    ).toBe(
      'INVALID_INPUT 400 destination.baseUrl host jira.evil.example.com ' +
        'is not on the egress allow-list (EVALVAULT_EGRESS_ALLOW)',
    );
    expect(
      await codeOf(
        client.call(
          'createRoute',
          slackWith(secretOf(tenantId, 'slack', 'ELSEWHERE', 'https://evil.example.com/hook')),
          tenant,
        ),
      ),
    ).toMatch(/INVALID_INPUT 400 .*host evil\.example\.com is not on the egress allow-list/);
    const missing = `env:${scopedEnvName({ tenantId, projectId: 'checkout' }, 'slack', 'MISSING')}`;
    expect(await codeOf(client.call('createRoute', slackWith(missing), tenant))).toBe(
      `INVALID_INPUT 400 destination.webhookUrlRef: secret ${missing} cannot be resolved by the notifier`,
    );
    expect(await codeOf(client.call('createRoute', slackWith('env:DATABASE_PASSWORD'), tenant))).toMatch(
      /INVALID_INPUT 400 destination.webhookUrlRef must start with one of env:EVALVAULT_SECRET_/,
    );
    expect(
      await codeOf(client.call('createRoute', slackWith('https://hooks.slack.com/services/T/B/x'), tenant)),
    ).toMatch(/INVALID_INPUT 400 destination.webhookUrlRef must name a secret/);
    expect(await codeOf(client.call('createRoute', { ...jira, on: ['GatePassed'] }, tenant))).toMatch(
      /INVALID_INPUT 400 on: a jira route takes GateFailed, RunFailed, DriftDetected, not GatePassed/,
    );
    expect((await client.call('listRoutes', {}, tenant)).items).toEqual([]);
  });

  it('refuses another tenant’s, project’s or destination kind’s secret alike, whether it exists or not', async () => {
    const [a, b] = [`tenant-${randomUUID()}`, `tenant-${randomUUID()}`];
    const scoped = (tenantId: string, projectId: string, kind: 'slack' | 'pagerduty', name: string): string =>
      `env:${scopedEnvName({ tenantId, projectId }, kind, name)}`;
    const bWebhook = secretOf(b, 'slack', 'WEBHOOK', 'https://hooks.slack.com/services/T/B/tenant-b');
    const pagerA = (routingKeyRef: string): CreateRouteRequest => ({
      name: 'on-call',
      on: ['GateFailed'],
      destination: { type: 'pagerduty', routingKeyRef },
    });
    const rule = new RegExp(
      '^INVALID_INPUT 400 destination.routingKeyRef must name a pagerduty secret of this tenant and project: ' +
        `env:${scoped(a, 'checkout', 'pagerduty', '').slice(4)}<name>`,
    );
    // Tenant B's Slack webhook URL as tenant A's PagerDuty routing key: the finding.
    expect(await codeOf(client.call('createRoute', pagerA(bWebhook), identity(a)))).toMatch(rule);
    expect(
      await codeOf(client.call('createRoute', pagerA(scoped(b, 'checkout', 'pagerduty', 'KEY')), identity(a))),
    ).toMatch(rule); // no such secret: the same answer
    expect(
      await codeOf(client.call('createRoute', pagerA(scoped(a, 'search', 'pagerduty', 'KEY')), identity(a))),
    ).toMatch(rule);
    expect(
      await codeOf(
        client.call(
          'createRoute',
          pagerA(secretOf(a, 'slack', 'WEBHOOK', 'https://hooks.slack.com/services/T/B/tenant-a')),
          identity(a),
        ),
      ),
    ).toMatch(rule);
    expect(
      await codeOf(
        client.call(
          'createRoute',
          { ...slackOf(a), destination: { type: 'slack', webhookUrlRef: bWebhook } },
          identity(a),
        ),
      ),
    ).toMatch(/^INVALID_INPUT 400 destination.webhookUrlRef must name a slack secret of this tenant and project/);
    expect((await client.call('listRoutes', {}, identity(a))).items).toEqual([]);
    expect(
      await client.call(
        'createRoute',
        { ...slackOf(b), destination: { type: 'slack', webhookUrlRef: bWebhook } },
        identity(b),
      ),
    ).toMatchObject({ name: 'Team alerts' });
  });

  it('pages the delivery log and refuses a cursor it did not make', async () => {
    const tenant = identity(`tenant-${randomUUID()}`);
    expect(await client.call('listNotifications', { status: 'failed' }, tenant)).toEqual({
      items: [],
      nextCursor: null,
    });
    expect(await codeOf(client.call('listNotifications', { cursor: 'garbage' }, tenant))).toMatch(
      /^INVALID_INPUT 400 cursor/,
    );
    // A time JavaScript parses but PostgreSQL would not: refused before SQL, not a 500.
    const loose = Buffer.from(JSON.stringify({ k: 'notifications', at: '1', id: 'x' })).toString('base64url');
    expect(await codeOf(client.call('listNotifications', { cursor: loose }, tenant))).toMatch(
      /^INVALID_INPUT 400 cursor/,
    );
    const legacy = Buffer.from(JSON.stringify(['1', 'x'])).toString('base64url');
    expect(await codeOf(client.call('listNotifications', { cursor: legacy }, tenant))).toMatch(
      /^INVALID_INPUT 400 cursor/,
    );
    expect(await codeOf(client.call('listNotifications', { status: 'lost' }, tenant))).toMatch(
      /^INVALID_INPUT 400 status/,
    );
  });
});
