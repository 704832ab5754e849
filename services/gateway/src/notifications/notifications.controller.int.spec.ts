import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  createLogger,
  createServiceApp,
  ServiceClientError,
  ServiceClientErrorCode,
  type InternalIdentity,
  type ServiceClient,
} from '@evalvault/platform';
import type { ExportView, NotificationsOperations, RouteView, RunsOperations } from '@evalvault/service-apis';
import type { Principal } from '../auth/principal.js';
import { GatewayModule } from '../gateway.module.js';
import { installOpenApi } from '../docs/openapi.js';
import { installHttpEdges } from '../http/index.js';

/**
 * The notification routes of the gateway with the strict validator and the OpenAPI document the
 * real gateway installs, against a recording notifier client: roles, validation, what is sent on.
 */
describe('notification routes at the gateway', () => {
  let app: NestFastifyApplication;
  let base: string;
  const calls: { operation: string; input: unknown; identity: InternalIdentity }[] = [];
  const route: RouteView = {
    routeId: 'r-1',
    projectId: 'checkout',
    name: 'ops',
    on: ['GateFailed'],
    severity: 'critical',
    createdBy: 'alice',
    createdAt: '2026-01-05T10:00:00.000Z',
    destination: {
      type: 'jira',
      baseUrl: 'https://acme.atlassian.net',
      projectKey: 'OPS',
      issueType: 'Bug',
      emailRef: null,
      tokenRef: 'env:NOTIFY_JIRA',
    },
  };
  const anExport: ExportView = {
    exportId: 'e-1',
    projectId: 'checkout',
    name: 'mlflow',
    on: ['RunCompleted'],
    destination: { type: 'mlflow', trackingUrl: 'https://mlflow.acme.example', experimentName: 'rag', tokenRef: null },
    createdBy: 'alice',
    createdAt: '2026-01-05T10:00:00.000Z',
  };
  const notifier: ServiceClient<NotificationsOperations> = {
    call: async (operation, input, identity) => {
      calls.push({ operation, input, identity });
      if (operation === 'getRoute')
        throw new ServiceClientError(ServiceClientErrorCode.NotFound, 'route r-9 not found');
      if (operation === 'listRoutes') return { items: [route] } as never;
      if (operation === 'listNotifications') return { items: [], nextCursor: null } as never;
      if (operation === 'listExports') return { items: [anExport] } as never;
      if (operation === 'createExport' || operation === 'deleteExport') return anExport as never;
      return route as never;
    },
  };
  const principal = (role: 'viewer' | 'admin'): Principal => ({
    tenantId: 't-1',
    subject: `${role}@acme`,
    authMethod: 'api_key',
    apiKeyId: 'k',
    projectRoles: { checkout: [role] },
    tenantRoles: [],
  });

  beforeAll(async () => {
    const unreachable: ServiceClient<RunsOperations> = {
      call: async () => {
        throw new ServiceClientError(ServiceClientErrorCode.Unavailable, 'not needed');
      },
    };
    const config = { serviceName: 'gateway', host: '127.0.0.1', port: 0, logLevel: 'silent' as const, redactPaths: [] };
    app = await createServiceApp(
      GatewayModule.with({ runs: unreachable, apiKeys: null, members: null, notifications: notifier }),
      config,
      createLogger(config),
    );
    const fastify = app.getHttpAdapter().getInstance();
    // Stands in for the authentication hook: the role comes from a test header.
    fastify.addHook('onRequest', async (request) => {
      request.principal = principal(request.headers['x-test-role'] === 'admin' ? 'admin' : 'viewer');
    });
    await installOpenApi(fastify, 'test');
    await installHttpEdges(app, { rateLimit: false, idempotency: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await app.close();
  });

  const send = (path: string, role: 'viewer' | 'admin', init: RequestInit = {}): Promise<Response> =>
    fetch(`${base}/v1/projects/checkout${path}`, {
      ...init,
      headers: { 'x-test-role': role, ...(init.body ? { 'content-type': 'application/json' } : {}) },
    });
  const create = {
    name: 'ops',
    on: ['GateFailed'],
    severity: 'critical',
    destination: {
      type: 'jira',
      baseUrl: 'https://acme.atlassian.net',
      projectKey: 'OPS',
      issueType: 'Bug',
      tokenRef: 'env:NOTIFY_JIRA',
    },
  };

  it('lets admins create and delete routes and viewers read them, answering the full route', async () => {
    const created = await send('/notification-routes', 'admin', { method: 'POST', body: JSON.stringify(create) });
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual(route);
    expect(calls.at(-1)).toMatchObject({
      operation: 'createRoute',
      input: create,
      identity: { tenantId: 't-1', projectId: 'checkout', roles: ['admin'] },
    });
    expect(
      (await send('/notification-routes', 'viewer', { method: 'POST', body: JSON.stringify(create) })).status,
    ).toBe(403);
    expect(await (await send('/notification-routes', 'viewer')).json()).toEqual({ items: [route] });
    expect((await send('/notification-routes/r-9', 'viewer')).status).toBe(404);
    expect((await send('/notification-routes/r-1', 'viewer', { method: 'DELETE' })).status).toBe(403);
    expect((await send('/notification-routes/r-1', 'admin', { method: 'DELETE' })).status).toBe(200);
    expect(await (await send('/notifications?status=failed&limit=10', 'viewer')).json()).toEqual({
      items: [],
      nextCursor: null,
    });
    expect(calls.at(-1)).toMatchObject({ operation: 'listNotifications', input: { status: 'failed', limit: 10 } });
  });

  it('refuses unknown fields, secrets in place of references and unknown destinations, naming the field', async () => {
    const before = calls.length;
    const unknown = await send('/notification-routes', 'admin', {
      method: 'POST',
      body: JSON.stringify({ ...create, colour: 'red' }),
    });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(await unknown.json())).toContain('/colour');
    const inlineSecret = await send('/notification-routes', 'admin', {
      method: 'POST',
      body: JSON.stringify({ ...create, destination: { ...create.destination, tokenRef: 'ATATT3xFfGF0-secret' } }),
    });
    expect(inlineSecret.status).toBe(400);
    const extraField = await send('/notification-routes', 'admin', {
      method: 'POST',
      body: JSON.stringify({
        ...create,
        destination: { type: 'slack', webhookUrlRef: 'env:NOTIFY_SLACK', token: 'x' },
      }),
    });
    expect(extraField.status).toBe(400);
    expect(
      (
        await send('/notification-routes', 'admin', {
          method: 'POST',
          body: JSON.stringify({ ...create, on: ['RunCompleted'] }),
        })
      ).status,
    ).toBe(400);
    expect((await send('/notifications?status=lost', 'viewer')).status).toBe(400);
    expect(calls.length).toBe(before); // nothing invalid reached the notifier
  });

  it('answers a destination with the errors of its own type only, and names the secret reference', async () => {
    const post = (destination: unknown) =>
      send('/notification-routes', 'admin', { method: 'POST', body: JSON.stringify({ ...create, destination }) });
    const natural = await post({ type: 'slack', webhookUrl: 'https://hooks.slack.com/services/T0/B0/x' });
    expect(natural.status).toBe(400);
    expect(await natural.json()).toMatchObject({
      detail: 'The request has 1 invalid field(s).',
      errors: [
        {
          path: '/destination/webhookUrl',
          message: 'slack destinations take webhookUrlRef, a secret reference (env:NAME or file:/path), not webhookUrl',
        },
      ],
    });
    const jira = await post({ type: 'jira', baseUrl: 'https://acme.atlassian.net', projectKey: 'ops', tokenRef: 'x' });
    expect(((await jira.json()) as { errors: unknown[] }).errors).toEqual([
      { path: '/destination/issueType', message: 'is required' },
      { path: '/destination/projectKey', message: 'must match pattern "^[A-Z][A-Z0-9_]{0,49}$"' },
      { path: '/destination/tokenRef', message: 'must NOT have fewer than 5 characters' },
      { path: '/destination/tokenRef', message: 'must match pattern "^(env:[A-Za-z_][A-Za-z0-9_]*|file:/.+)$"' },
    ]);
    const unknownType = await post({ type: 'email', to: 'ops@acme.example' });
    expect(((await unknownType.json()) as { errors: unknown[] }).errors).toEqual([
      { path: '/destination/type', message: 'must be one of jira, pagerduty, teams, slack' },
    ]);
    const noType = await post({ webhookUrlRef: 'env:NOTIFY_SLACK' });
    expect(((await noType.json()) as { errors: unknown[] }).errors).toEqual([
      { path: '/destination/type', message: 'is required: one of jira, pagerduty, teams, slack' },
    ]);
  });

  it('serves tracker exports: admins create and delete, viewers list; bad destinations name the field', async () => {
    const mlflow = { type: 'mlflow', trackingUrl: 'https://mlflow.acme.example', experimentName: 'rag' };
    const body = { name: 'mlflow', on: ['RunCompleted'], destination: mlflow };
    const post = (destination: unknown, role: 'viewer' | 'admin' = 'admin') =>
      send('/exports', role, { method: 'POST', body: JSON.stringify({ ...body, destination }) });
    const created = await post(mlflow);
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual(anExport);
    expect(calls.at(-1)).toMatchObject({ operation: 'createExport', input: body });
    expect((await post(mlflow, 'viewer')).status).toBe(403);
    expect(await (await send('/exports', 'viewer')).json()).toEqual({ items: [anExport] });
    expect((await send('/exports/e-1', 'viewer', { method: 'DELETE' })).status).toBe(403);
    expect((await send('/exports/e-1', 'admin', { method: 'DELETE' })).status).toBe(200);
    expect(calls.at(-1)).toMatchObject({ operation: 'deleteExport', input: { exportId: 'e-1' } });
    const before = calls.length;
    const errorsOf = async (response: Response): Promise<unknown> => {
      expect(response.status).toBe(400);
      return ((await response.json()) as { errors: unknown }).errors;
    };
    expect(await errorsOf(await post({ type: 'wandb', project: 'x' }))).toEqual([
      { path: '/destination/type', message: 'must be one of langfuse, mlflow, otlp' },
    ]);
    const inline = { type: 'langfuse', baseUrl: 'https://cloud.langfuse.com', publicKeyRef: 'env:LF_PUBLIC' };
    expect(await errorsOf(await post({ ...inline, secretKeyRef: 'sk-lf-0123456789' }))).toEqual([
      { path: '/destination/secretKeyRef', message: 'must match pattern "^(env:[A-Za-z_][A-Za-z0-9_]*|file:/.+)$"' },
    ]);
    expect(await errorsOf(await post({ ...inline, secretKey: 'sk-lf-0123456789' }))).toEqual([
      {
        path: '/destination/secretKey',
        message: 'langfuse destinations take secretKeyRef, a secret reference (env:NAME or file:/path), not secretKey',
      },
    ]);
    const gate = await send('/exports', 'admin', {
      method: 'POST',
      body: JSON.stringify({ ...body, on: ['GateFailed'] }),
    });
    expect(gate.status).toBe(400);
    expect(calls.length).toBe(before); // nothing invalid reached the notifier
  });

  it('documents every notification route in the OpenAPI document', async () => {
    const document = (await (await fetch(`${base}/docs`)).json()) as {
      paths: Record<string, Record<string, { requestBody?: unknown; responses?: Record<string, unknown> }>>;
    };
    expect(Object.keys(document.paths['/v1/projects/{project}/notification-routes'] ?? {}).sort()).toEqual([
      'get',
      'post',
    ]);
    expect(Object.keys(document.paths['/v1/projects/{project}/notification-routes/{routeId}'] ?? {}).sort()).toEqual([
      'delete',
      'get',
    ]);
    expect(document.paths['/v1/projects/{project}/notifications']?.['get']?.responses).toHaveProperty('200');
    expect(document.paths['/v1/projects/{project}/notification-routes']?.['post']).toMatchObject({
      requestBody: expect.anything(),
      responses: { 201: expect.anything() },
    });
  });
});
