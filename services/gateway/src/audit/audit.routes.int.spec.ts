import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  createLogger,
  createServiceApp,
  ServiceClientError,
  ServiceClientErrorCode,
  type InternalIdentity,
  type ServiceClient,
} from '@evalvault/platform';
import type { AuditEntryView, AuditOperations, RunsOperations } from '@evalvault/service-apis';
import { GatewayModule } from '../gateway.module.js';
import { installOpenApi } from '../docs/openapi.js';
import { installHttpEdges } from '../http/index.js';
import type { AuditClient } from './audit.controller.js';

const ENTRY: AuditEntryView = {
  seq: 1,
  eventId: '6f1c1a8e-3c5d-4a5e-9d7e-2b7f0c1e9a01',
  action: 'AccessDenied',
  occurredAt: '2026-11-26T09:30:00.000Z',
  tenantId: 'acme',
  projectId: 'default',
  streamId: 'access-denied-x',
  actor: { subject: 'mallory', pseudonym: 'ps', authMethod: 'oidc', apiKeyId: null, forgotten: false },
  target: null,
  resources: [{ type: 'run', id: 'r-1', version: null, contentHash: null }],
  outcome: 'denied',
  correlationId: 'c',
  causationId: null,
  details: { route: '/v1/projects/{project}/runs/{runId}', status: 404, requiredRole: null },
  prevHash: '0'.repeat(64),
  hash: 'a'.repeat(64),
};

/** A stand-in audit service: remembers who called, answers like the real one, streams a long export lazily. */
class FakeAudit implements AuditClient {
  readonly identities: InternalIdentity[] = [];
  readonly inputs: unknown[] = [];
  produced = 0;
  /** What setRetention reports it did (the real service decides from the retention in force). */
  retentionChange: 'applied' | 'shortening-scheduled' = 'applied';

  async call<K extends keyof AuditOperations & string>(
    operation: K,
    input: AuditOperations[K]['input'],
    identity: InternalIdentity,
  ): Promise<AuditOperations[K]['output']> {
    this.identities.push(identity);
    this.inputs.push(input);
    if ((input as { cursor?: string }).cursor === 'bad')
      throw new ServiceClientError(ServiceClientErrorCode.InvalidInput, 'the cursor is not one this API returned');
    if (
      operation === 'setRetention' &&
      (input as { reason: string | null }).reason === null &&
      this.retentionChange !== 'applied'
    )
      throw new ServiceClientError(
        ServiceClientErrorCode.InvalidInput,
        'shortening the audit retention from 400 days to 1 days needs a reason',
      );
    const days = (input as { retentionDays?: number | null }).retentionDays ?? null;
    const pending = {
      retentionDays: days ?? 1,
      reason: 'storage costs',
      requestedAt: '2026-11-26T12:00:00.000Z',
      effectiveAt: '2026-11-29T12:00:00.000Z',
      eventId: ENTRY.eventId,
    };
    const answers: { [O in keyof AuditOperations]: AuditOperations[O]['output'] } = {
      listEntries: { items: [ENTRY], nextCursor: null },
      replay: {
        status: 'verified',
        counts: { entries: 1, events: 1, purged: 0, compared: 1, pending: 0 },
        headHash: 'a'.repeat(64),
        firstDifference: null,
        durationMs: 3,
      },
      getRetention: { retentionDays: 400, pending, anchor: null },
      setRetention:
        this.retentionChange === 'applied'
          ? { change: 'applied', retentionDays: days, pending: null, anchor: null }
          : { change: 'shortening-scheduled', retentionDays: 400, pending, anchor: null },
      cancelRetentionShortening: { change: 'shortening-cancelled', retentionDays: 400, pending: null, anchor: null },
      forgetSubject: { pseudonym: 'ps', eventId: ENTRY.eventId },
    };
    return answers[operation];
  }

  async stream(
    _operation: 'exportEntries',
    input: { format: string },
    identity: InternalIdentity,
  ): Promise<{ contentType: string; body: AsyncIterable<Uint8Array> }> {
    this.identities.push(identity);
    const line = Buffer.from(`${JSON.stringify({ ...ENTRY, pad: 'x'.repeat(700) })}\n`);
    const lines = input.format === 'csv' ? 3 : 200_000; // 200,000 lines ≈ 190 MB if anyone buffered them
    const body = async function* (this: FakeAudit): AsyncGenerator<Uint8Array> {
      for (let index = 0; index < lines; index++) {
        this.produced += 1;
        yield line;
      }
    }.call(this);
    return {
      contentType: input.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      body,
    };
  }
}

/**
 * The /v1/audit routes through the real gateway module, guard and HTTP edges, with a stand-in
 * for authentication (headers say who calls): only a tenant's auditors read and only its
 * audit-admins change the retention or forget, no one forgets themselves, the tenant always
 * comes from the credential, and the export streams without being buffered.
 */
describe('gateway /v1/audit', () => {
  let app: NestFastifyApplication;
  let url: string;
  const audit = new FakeAudit();

  beforeAll(async () => {
    const unreachable: ServiceClient<RunsOperations> = {
      call: async () => {
        throw new ServiceClientError(ServiceClientErrorCode.Unavailable, 'not needed');
      },
    };
    const config = { serviceName: 'gateway', host: '127.0.0.1', port: 0, logLevel: 'silent' as const, redactPaths: [] };
    app = await createServiceApp(
      GatewayModule.with({ runs: unreachable, apiKeys: null, members: null, audit }),
      config,
      createLogger(config),
    );
    await installOpenApi(app.getHttpAdapter().getInstance(), 'test');
    app
      .getHttpAdapter()
      .getInstance()
      .addHook('onRequest', async (request) => {
        const tenantId = request.headers['x-test-tenant'];
        if (typeof tenantId !== 'string') return;
        const role = request.headers['x-test-role'];
        const keyId = request.headers['x-test-key'];
        const tenantRole = role === 'auditor' || role === 'audit-admin';
        Object.assign(request, {
          principal: {
            tenantId,
            ...(typeof keyId === 'string'
              ? { subject: `api-key:${keyId}`, authMethod: 'api_key', apiKeyId: keyId }
              : { subject: 'someone@example.com', authMethod: 'oidc', apiKeyId: null }),
            projectRoles: role && !tenantRole ? { default: [role] } : {},
            tenantRoles: tenantRole ? [role] : [],
          },
        });
      });
    await installHttpEdges(app, { rateLimit: false, idempotency: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await app.close();
  });

  const as = (role: string | null, path: string, init: RequestInit = {}, keyId?: string): Promise<Response> =>
    fetch(`${url}${path}`, {
      ...init,
      headers: {
        ...(role ? { 'x-test-tenant': 'acme', 'x-test-role': role } : {}),
        ...(keyId ? { 'x-test-key': keyId } : {}),
        ...(init.body ? { 'content-type': 'application/json' } : {}),
      },
    });
  const json = (method: string, body: unknown): RequestInit => ({
    method,
    ...(body ? { body: JSON.stringify(body) } : {}),
  });

  // Three values per row, always: a test function with more parameters than its row is given jest's `done`.
  const READ_ROUTES: [string, string, unknown][] = [
    ['GET', '/v1/audit?action=AccessDenied&from=2026-11-01T00:00:00Z&limit=10', null],
    ['POST', '/v1/audit/replay', null],
    ['GET', '/v1/audit/export?format=csv', null],
    ['GET', '/v1/audit/retention', null],
  ];
  const ADMIN_ROUTES: [string, string, unknown][] = [
    ['PUT', '/v1/audit/retention', { retentionDays: 365 }],
    ['PUT', '/v1/audit/retention', { retentionDays: 1, reason: 'storage costs' }],
    ['DELETE', '/v1/audit/retention/pending', null],
    ['POST', '/v1/audit/subjects/forget', { subject: 'alice@example.com', reason: 'erasure request' }],
  ];
  const ROUTES = [...READ_ROUTES, ...ADMIN_ROUTES];
  const identity = (role: string): InternalIdentity => ({
    tenantId: 'acme',
    projectId: null,
    roles: [role],
    actor: { subject: 'someone@example.com', authMethod: 'oidc', apiKeyId: null },
  });

  it.each(READ_ROUTES)('%s %s answers an auditor, for the tenant of the credential', async (method, path, body) => {
    audit.identities.length = 0;
    const response = await as('auditor', path, json(method, body));
    expect(response.status).toBe(200);
    await response.text();
    expect(audit.identities).toEqual([identity('auditor')]);
  });

  it.each(ADMIN_ROUTES)('%s %s refuses an auditor: auditors only read', async (method, path, body) => {
    audit.identities.length = 0;
    const response = await as('auditor', path, json(method, body));
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(await response.json()).toMatchObject({ code: 'FORBIDDEN' });
    expect(audit.identities).toEqual([]);
  });

  it.each(ROUTES)('%s %s answers an audit-admin, for the tenant of the credential', async (method, path, body) => {
    audit.identities.length = 0;
    const response = await as('audit-admin', path, json(method, body));
    expect(response.status).toBe(200);
    await response.text();
    expect(audit.identities).toEqual([identity('audit-admin')]);
  });

  it.each(ROUTES)('%s %s refuses every project role, even admin, and strangers', async (method, path, body) => {
    audit.identities.length = 0;
    for (const role of ['viewer', 'editor', 'approver', 'admin']) {
      const response = await as(role, path, json(method, body));
      expect(response.status).toBe(403);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await as(null, path, json(method, body))).status).toBe(401);
    expect(audit.identities).toEqual([]);
  });

  it('answers a scheduled shortening with 202; passes on the audit service’s refusal without a reason', async () => {
    audit.retentionChange = 'shortening-scheduled';
    try {
      const refused = await as('audit-admin', '/v1/audit/retention', json('PUT', { retentionDays: 1 }));
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({
        code: 'INVALID_INPUT',
        detail: 'shortening the audit retention from 400 days to 1 days needs a reason',
      });
      audit.inputs.length = 0;
      const scheduled = await as(
        'audit-admin',
        '/v1/audit/retention',
        json('PUT', { retentionDays: 1, reason: 'storage costs' }),
      );
      expect(scheduled.status).toBe(202);
      expect(await scheduled.json()).toEqual({
        change: 'shortening-scheduled',
        retentionDays: 400,
        pending: {
          retentionDays: 1,
          reason: 'storage costs',
          requestedAt: '2026-11-26T12:00:00.000Z',
          effectiveAt: '2026-11-29T12:00:00.000Z',
          eventId: ENTRY.eventId,
        },
        anchor: null,
      });
      expect(audit.inputs).toEqual([{ retentionDays: 1, reason: 'storage costs' }]);
    } finally {
      audit.retentionChange = 'applied';
    }
    const view = await (await as('auditor', '/v1/audit/retention')).json();
    expect(view).toMatchObject({ retentionDays: 400, pending: { retentionDays: 1, reason: 'storage costs' } });
    const cancelled = await as('audit-admin', '/v1/audit/retention/pending?reason=too%20short', { method: 'DELETE' });
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({ change: 'shortening-cancelled', pending: null });
    expect(audit.inputs.at(-1)).toEqual({ reason: 'too short' });
    expect(
      (await as('audit-admin', '/v1/audit/retention', json('PUT', { retentionDays: 1, reason: 'x'.repeat(501) })))
        .status,
    ).toBe(400);
  });

  it('refuses to let anyone forget themselves, as a user or an API key, before asking the audit service', async () => {
    audit.identities.length = 0;
    const forget = (subject: string, keyId?: string): Promise<Response> =>
      as('audit-admin', '/v1/audit/subjects/forget', json('POST', { subject, reason: 'cover my tracks' }), keyId);
    for (const refused of [await forget('someone@example.com'), await forget('api-key:0123456789ab', '0123456789ab')]) {
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(await refused.json()).toMatchObject({
        code: 'FORBIDDEN',
        detail: 'you cannot forget your own subject: another audit-admin must make the request',
      });
    }
    expect(audit.identities).toEqual([]);
    // A key forgetting a user, and a user forgetting a key, is someone else.
    expect((await forget('someone@example.com', '0123456789ab')).status).toBe(200);
    expect((await forget('api-key:0123456789ab')).status).toBe(200);
  });

  it('never takes a tenant from the request, and validates filters and bodies', async () => {
    expect((await as('auditor', '/v1/audit?tenant=other')).status).toBe(400);
    expect((await as('auditor', '/v1/audit?from=yesterday')).status).toBe(400);
    expect((await as('auditor', '/v1/audit/export?format=xml')).status).toBe(400);
    expect(
      (await as('audit-admin', '/v1/audit/retention', { method: 'PUT', body: JSON.stringify({ retentionDays: 0 }) }))
        .status,
    ).toBe(400);
    expect(
      (
        await as('audit-admin', '/v1/audit/subjects/forget', {
          method: 'POST',
          body: JSON.stringify({ subject: 'a', tenantId: 'other' }),
        })
      ).status,
    ).toBe(400);
    const invalid = await as('auditor', '/v1/audit?cursor=bad');
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({
      code: 'INVALID_INPUT',
      detail: 'the cursor is not one this API returned',
    });
  });

  it('documents every audit route with its parameters and bodies in OpenAPI', async () => {
    const document = (await (await fetch(`${url}/docs`)).json()) as {
      paths: Record<string, Record<string, { parameters?: { name: string }[]; requestBody?: unknown }>>;
    };
    const documented = Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/v1/audit'))
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));
    expect(documented.sort()).toEqual([
      'DELETE /v1/audit/retention/pending',
      'GET /v1/audit',
      'GET /v1/audit/export',
      'GET /v1/audit/retention',
      'POST /v1/audit/replay',
      'POST /v1/audit/subjects/forget',
      'PUT /v1/audit/retention',
    ]);
    expect(document.paths['/v1/audit']!['get']!.parameters!.map((parameter) => parameter.name).sort()).toEqual([
      'action',
      'actor',
      'cursor',
      'from',
      'limit',
      'resource',
      'to',
    ]);
    expect(document.paths['/v1/audit/export']!['get']!.parameters!.map((parameter) => parameter.name)).toContain(
      'format',
    );
    expect(document.paths['/v1/audit/subjects/forget']!['post']!.requestBody).toBeDefined();
    expect(document.paths['/v1/audit/retention']!['put']!.requestBody).toBeDefined();
  });

  it('answers entries as the audit service shapes them', async () => {
    const page = await (await as('auditor', '/v1/audit')).json();
    expect(page).toEqual({ items: [ENTRY], nextCursor: null });
  });

  it('streams the export as it is produced, never holding it whole', async () => {
    audit.produced = 0;
    const aborter = new AbortController();
    // JSON Lines unless asked otherwise.
    const response = await fetch(`${url}/v1/audit/export`, {
      headers: { 'x-test-tenant': 'acme', 'x-test-role': 'auditor' },
      signal: aborter.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/x-ndjson');
    expect(response.headers.get('content-disposition')).toMatch(
      /attachment; filename="audit-\d{4}-\d{2}-\d{2}\.jsonl"/,
    );
    const reader = response.body!.getReader();
    let received = 0;
    while (received < 1_000_000) received += (await reader.read()).value!.length;
    await new Promise((resolve) => setTimeout(resolve, 300)); // a buffering gateway would keep producing meanwhile
    const producedWhileReading = audit.produced;
    aborter.abort();
    await reader.cancel().catch(() => undefined);
    // Only what sockets and stream buffers hold was produced ahead of the reader: a few MB of 190.
    expect(producedWhileReading).toBeLessThan(20_000);
  });
});
