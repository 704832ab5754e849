import { randomBytes, randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import {
  busMetrics, HttpServiceClient, InProcessBroker, InProcessEventServer, InternalIdentitySigner, InternalIdentityVerifier, PostgresEventStore, registerInternalApi,
  secretResolver, type InternalIdentity,
  type ServiceClientError,
} from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import type { CreateRouteRequest, NotificationsOperations } from '@evalvault/service-apis';
import { InProcessDeadLetterSink } from '../delivery/dead-letters.js';
import { buildNotifier } from '../notifier.composition.js';
import { migrateNotifierSchema, TEST_DELIVERY } from '../testing/in-process-notifier.js';

/** The notifier's internal API over real HTTP, as the gateway calls it: routes and the delivery log. */
describe('notifications internal API', () => {
  const secret = randomBytes(32);
  let fastify: FastifyInstance;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let dataSource: DataSource;
  let client: HttpServiceClient<NotificationsOperations>;
  const identity = (tenantId: string): InternalIdentity => ({ tenantId, projectId: 'checkout', roles: ['admin'], actor: { subject: 'alice', authMethod: 'oidc', apiKeyId: null } });
  const codeOf = (promise: Promise<unknown>): Promise<string> => promise.then(() => 'resolved', (error: ServiceClientError) => `${error.code} ${error.status} ${error.message}`);
  const slack: CreateRouteRequest = { name: 'Team alerts', on: ['GateFailed', 'GatePassed'], destination: { type: 'slack', webhookUrlRef: 'env:NOTIFY_SLACK' } };
  const jira: CreateRouteRequest = {
    name: 'ops', on: ['GateFailed'], severity: 'critical',
    destination: { type: 'jira', baseUrl: 'https://acme.atlassian.net/', projectKey: 'OPS', issueType: 'Bug', tokenRef: 'env:NOTIFY_JIRA' },
  };

  beforeAll(async () => {
    await migrateNotifierSchema(testDatabaseUrl());
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 4 });
    dataSource = await new DataSource({ type: 'postgres', url: testDatabaseUrl(), logging: false }).initialize();
    store = new PostgresEventStore(pool);
    const broker = new InProcessBroker();
    const logger = pino({ level: 'silent' });
    const registry = new Registry();
    const notifier = buildNotifier({
      dataSource, store, deadLetters: new InProcessDeadLetterSink(broker), logger, registry,
      secrets: secretResolver({ NOTIFY_SLACK: 'https://hooks.slack.com/services/T/B/secret', NOTIFY_JIRA: 'token', NOTIFY_ELSEWHERE: 'https://evil.example.com/hook' }),
      serverFor: (groupId, transportId) => new InProcessEventServer({ broker, groupId, transportId, logger, metrics: busMetrics(registry) }), // never started here
    }, {
      egressAllow: ['*.slack.com', 'acme.atlassian.net'], secretRefPrefixes: ['env:NOTIFY_'], publicUrl: 'https://evalvault.example.com',
      groupPrefix: 'unused', consumerStart: 'latest', delivery: TEST_DELIVERY,
    });
    fastify = Fastify();
    registerInternalApi(fastify, { handlers: notifier.operations, verifier: new InternalIdentityVerifier({ secret, serviceName: 'notifier' }) });
    const address = await fastify.listen({ port: 0, host: '127.0.0.1' });
    client = new HttpServiceClient<NotificationsOperations>({ serviceName: 'notifier', baseUrl: address, signer: new InternalIdentitySigner({ secret }) });
  }, 60_000);

  afterAll(async () => {
    await fastify.close();
    await store.close();
    await pool.end();
    await dataSource.destroy();
  });

  it('creates, lists, gets and deletes routes of the identity’s tenant and project only', async () => {
    const tenant = `tenant-${randomUUID()}`;
    const created = await client.call('createRoute', slack, identity(tenant));
    expect(created).toMatchObject({ name: 'Team alerts', on: ['GateFailed', 'GatePassed'], severity: 'error', projectId: 'checkout', createdBy: 'alice', destination: slack.destination });
    expect(await client.call('createRoute', slack, identity(tenant))).toEqual(created); // a retried request
    const ops = await client.call('createRoute', jira, identity(tenant));
    expect(ops.destination).toEqual({ ...jira.destination, baseUrl: 'https://acme.atlassian.net', emailRef: null });
    expect((await client.call('listRoutes', {}, identity(tenant))).items.map((route) => route.name)).toEqual(['ops', 'Team alerts']);
    expect(await client.call('getRoute', { routeId: ops.routeId }, identity(tenant))).toEqual(ops);

    const stranger = identity(`tenant-${randomUUID()}`);
    expect(await codeOf(client.call('getRoute', { routeId: ops.routeId }, stranger))).toMatch(/^NOT_FOUND 404/);
    expect(await codeOf(client.call('deleteRoute', { routeId: ops.routeId }, stranger))).toMatch(/^NOT_FOUND 404/);
    expect((await client.call('listRoutes', {}, stranger)).items).toEqual([]);

    expect(await codeOf(client.call('createRoute', { ...slack, severity: 'critical' }, identity(tenant)))).toMatch(/^CONFLICT 409 .*already exists/);
    expect(await client.call('deleteRoute', { routeId: ops.routeId }, identity(tenant))).toEqual(ops);
    expect(await codeOf(client.call('getRoute', { routeId: ops.routeId }, identity(tenant)))).toMatch(/^NOT_FOUND 404/);
    expect((await client.call('listRoutes', {}, identity(tenant))).items.map((route) => route.name)).toEqual(['Team alerts']);
  });

  it('refuses destinations off the egress allow-list, secrets it cannot resolve or may not use, and tickets on passes', async () => {
    const tenant = identity(`tenant-${randomUUID()}`);
    expect(await codeOf(client.call('createRoute', { ...jira, destination: { ...jira.destination, baseUrl: 'https://jira.evil.example.com' } } as CreateRouteRequest, tenant)))
      .toBe('INVALID_INPUT 400 destination.baseUrl host jira.evil.example.com is not on the egress allow-list (EVALVAULT_EGRESS_ALLOW)');
    expect(await codeOf(client.call('createRoute', { ...slack, destination: { type: 'slack', webhookUrlRef: 'env:NOTIFY_ELSEWHERE' } }, tenant)))
      .toMatch(/INVALID_INPUT 400 .*host evil\.example\.com is not on the egress allow-list/);
    expect(await codeOf(client.call('createRoute', { ...slack, destination: { type: 'slack', webhookUrlRef: 'env:NOTIFY_MISSING' } }, tenant)))
      .toBe('INVALID_INPUT 400 destination.webhookUrlRef: secret env:NOTIFY_MISSING cannot be resolved by the notifier');
    expect(await codeOf(client.call('createRoute', { ...slack, destination: { type: 'slack', webhookUrlRef: 'env:DATABASE_PASSWORD' } }, tenant)))
      .toMatch(/INVALID_INPUT 400 destination.webhookUrlRef must start with one of env:NOTIFY_/);
    expect(await codeOf(client.call('createRoute', { ...slack, destination: { type: 'slack', webhookUrlRef: 'https://hooks.slack.com/services/T/B/x' } }, tenant)))
      .toMatch(/INVALID_INPUT 400 destination.webhookUrlRef must name a secret/);
    expect(await codeOf(client.call('createRoute', { ...jira, on: ['GatePassed'] }, tenant))).toMatch(/INVALID_INPUT 400 on: a jira route takes GateFailed, RunFailed, not GatePassed/);
    expect((await client.call('listRoutes', {}, tenant)).items).toEqual([]);
  });

  it('pages the delivery log and refuses a cursor it did not make', async () => {
    const tenant = identity(`tenant-${randomUUID()}`);
    expect(await client.call('listNotifications', { status: 'failed' }, tenant)).toEqual({ items: [], nextCursor: null });
    expect(await codeOf(client.call('listNotifications', { cursor: 'garbage' }, tenant))).toMatch(/^INVALID_INPUT 400 cursor/);
    expect(await codeOf(client.call('listNotifications', { status: 'lost' }, tenant))).toMatch(/^INVALID_INPUT 400 status/);
  });
});
