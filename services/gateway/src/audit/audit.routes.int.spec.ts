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
  produced = 0;

  async call<K extends keyof AuditOperations & string>(
    operation: K,
    input: AuditOperations[K]['input'],
    identity: InternalIdentity,
  ): Promise<AuditOperations[K]['output']> {
    this.identities.push(identity);
    if ((input as { cursor?: string }).cursor === 'bad')
      throw new ServiceClientError(ServiceClientErrorCode.InvalidInput, 'the cursor is not one this API returned');
    const answers: { [O in keyof AuditOperations]: AuditOperations[O]['output'] } = {
      listEntries: { items: [ENTRY], nextCursor: null },
      replay: {
        status: 'verified',
        counts: { entries: 1, events: 1, purged: 0, compared: 1 },
        headHash: 'a'.repeat(64),
        firstDifference: null,
        durationMs: 3,
      },
      getRetention: { retentionDays: null, anchor: null },
      setRetention: { retentionDays: (input as { retentionDays: number | null }).retentionDays, anchor: null },
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
 * for authentication (headers say who calls): only a tenant's auditors get in, the tenant
 * always comes from the credential, and the export streams without being buffered.
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
        Object.assign(request, {
          principal: {
            tenantId,
            subject: 'someone@example.com',
            authMethod: 'oidc',
            apiKeyId: null,
            projectRoles: role && role !== 'auditor' ? { default: [role] } : {},
            tenantRoles: role === 'auditor' ? ['auditor'] : [],
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

  const as = (role: string | null, path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${url}${path}`, {
      ...init,
      headers: {
        ...(role ? { 'x-test-tenant': 'acme', 'x-test-role': role } : {}),
        ...(init.body ? { 'content-type': 'application/json' } : {}),
      },
    });

  // Three values per row, always: a test function with more parameters than its row is given jest's `done`.
  const ROUTES: [string, string, unknown][] = [
    ['GET', '/v1/audit?action=AccessDenied&from=2026-11-01T00:00:00Z&limit=10', null],
    ['POST', '/v1/audit/replay', null],
    ['GET', '/v1/audit/export?format=csv', null],
    ['GET', '/v1/audit/retention', null],
    ['PUT', '/v1/audit/retention', { retentionDays: 365 }],
    ['POST', '/v1/audit/subjects/forget', { subject: 'alice@example.com', reason: 'erasure request' }],
  ];

  it.each(ROUTES)('%s %s answers an auditor, for the tenant of the credential', async (method, path, body) => {
    audit.identities.length = 0;
    const response = await as('auditor', path, { method, ...(body ? { body: JSON.stringify(body) } : {}) });
    expect(response.status).toBe(200);
    await response.text();
    expect(audit.identities).toEqual([
      {
        tenantId: 'acme',
        projectId: null,
        roles: ['auditor'],
        actor: { subject: 'someone@example.com', authMethod: 'oidc', apiKeyId: null },
      },
    ]);
  });

  it.each(ROUTES)('%s %s refuses every project role, even admin, and strangers', async (method, path, body) => {
    audit.identities.length = 0;
    for (const role of ['viewer', 'editor', 'approver', 'admin']) {
      const response = await as(role, path, { method, ...(body ? { body: JSON.stringify(body) } : {}) });
      expect(response.status).toBe(403);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await as(null, path, { method, ...(body ? { body: JSON.stringify(body) } : {}) })).status).toBe(401);
    expect(audit.identities).toEqual([]);
  });

  it('never takes a tenant from the request, and validates filters and bodies', async () => {
    expect((await as('auditor', '/v1/audit?tenant=other')).status).toBe(400);
    expect((await as('auditor', '/v1/audit?from=yesterday')).status).toBe(400);
    expect((await as('auditor', '/v1/audit/export?format=xml')).status).toBe(400);
    expect(
      (await as('auditor', '/v1/audit/retention', { method: 'PUT', body: JSON.stringify({ retentionDays: 0 }) }))
        .status,
    ).toBe(400);
    expect(
      (
        await as('auditor', '/v1/audit/subjects/forget', {
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
