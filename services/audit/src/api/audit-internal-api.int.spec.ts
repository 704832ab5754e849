import { randomBytes, randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  HttpServiceClient,
  InternalIdentitySigner,
  InternalIdentityVerifier,
  registerInternalApi,
  ServiceClientError,
  type InternalIdentity,
} from '@evalvault/platform';
import type { AuditEntryView, AuditOperations, AuditStreams } from '@evalvault/service-apis';
import { auditedEvent, openAuditHarness, sampleHistory, type AuditHarness } from '../testing/audit-harness.js';
import { auditOperationHandlers, auditStreamHandlers } from './audit-internal-api.js';

const ADMIN_ACTOR = { subject: 'audit-admin-1', authMethod: 'oidc', apiKeyId: null };

/** The audit service's internal API over real HTTP, as the gateway calls it. */
describe('audit internal API', () => {
  const secret = randomBytes(32);
  let audit: AuditHarness;
  let fastify: FastifyInstance;
  let client: HttpServiceClient<AuditOperations, AuditStreams>;
  const auditorOf = (tenantId: string, roles = ['auditor']): InternalIdentity => ({
    tenantId,
    projectId: null,
    roles,
    actor: { subject: 'auditor-1', authMethod: 'oidc', apiKeyId: null },
  });
  const auditAdminOf = (tenantId: string, actor: InternalIdentity['actor'] = ADMIN_ACTOR): InternalIdentity => ({
    tenantId,
    projectId: null,
    roles: ['audit-admin'],
    actor,
  });
  const codeOf = (promise: Promise<unknown>): Promise<unknown> =>
    promise.then(
      () => 'resolved',
      (error: ServiceClientError) => `${error.code} ${error.status}`,
    );
  const text = async (body: AsyncIterable<Uint8Array>): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks).toString('utf8');
  };

  beforeAll(async () => {
    audit = await openAuditHarness();
    fastify = Fastify();
    registerInternalApi<AuditOperations, AuditStreams>(fastify, {
      handlers: auditOperationHandlers({ ...audit, newId: randomUUID }),
      streams: auditStreamHandlers(audit.queries),
      verifier: new InternalIdentityVerifier({ secret, serviceName: 'audit' }),
    });
    const address = await fastify.listen({ port: 0, host: '127.0.0.1' });
    client = new HttpServiceClient({
      serviceName: 'audit',
      baseUrl: address,
      signer: new InternalIdentitySigner({ secret }),
    });
  });

  afterAll(async () => {
    await fastify.close();
    await audit.close();
  });

  it('filters by actor, resource, action and time, and pages with a cursor', async () => {
    const tenant = `tenant-${randomUUID()}`;
    await audit.record(sampleHistory(tenant));
    const me = auditorOf(tenant);
    const actions = async (query: Parameters<typeof client.call<'listEntries'>>[1]): Promise<string[]> =>
      (await client.call('listEntries', query, me)).items.map((item) => item.action);
    expect(await actions({ actor: 'alice@example.com' })).toEqual([
      'DatasetVersionRegistered',
      'RunRequested',
      'ApiKeyRevoked',
    ]);
    expect(await actions({ resource: 'dataset:ds-qa' })).toEqual(['DatasetVersionRegistered', 'RunRequested']);
    expect(await actions({ resource: 'pr-1' })).toEqual(['RunRequested']);
    expect(await actions({ action: 'AccessDenied' })).toEqual(['AccessDenied']);
    expect(await actions({ from: '2026-11-26T09:03:00Z', to: '2026-11-26T09:05:00Z' })).toEqual([
      'RunStarted',
      'AccessDenied',
    ]);
    expect(await actions({ actor: 'alice@example.com', action: 'RunRequested' })).toEqual(['RunRequested']);

    const denied = (await client.call('listEntries', { action: 'AccessDenied' }, me)).items[0]!;
    expect(denied).toMatchObject({
      outcome: 'denied',
      actor: { subject: 'mallory', authMethod: 'oidc' },
      details: { route: '/v1/projects/{project}/runs/{runId}', reason: 'cross-tenant', status: 404 },
    });
    const run = (await client.call('listEntries', { action: 'RunRequested' }, me)).items[0]!;
    expect(run.resources).toEqual(
      expect.arrayContaining([
        { type: 'dataset', id: 'ds-qa', version: 3, contentHash: 'a'.repeat(64) },
        { type: 'prompt', id: 'pr-1', version: 2, contentHash: 'b'.repeat(64) },
      ]),
    );

    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.call('listEntries', { limit: 4, ...(cursor ? { cursor } : {}) }, me);
      seen.push(...page.items.map((item) => item.seq));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await codeOf(client.call('listEntries', { cursor: 'nope!' }, me))).toBe('INVALID_INPUT 400');
    expect(await codeOf(client.call('listEntries', { from: 'yesterday' }, me))).toBe('INVALID_INPUT 400');
  });

  it('shows a tenant only its own entries, and only to its auditors', async () => {
    const [tenant, other] = [`tenant-${randomUUID()}`, `tenant-${randomUUID()}`];
    await audit.record(sampleHistory(tenant));
    expect((await client.call('listEntries', {}, auditorOf(other))).items).toEqual([]);
    expect(await client.call('replay', {}, auditorOf(other))).toMatchObject({
      status: 'verified',
      counts: { entries: 0, events: 0 },
    });
    expect(await text((await client.stream('exportEntries', { format: 'jsonl' }, auditorOf(other))).body)).toBe('');
    for (const roles of [['admin'], ['viewer'], []]) {
      expect(await codeOf(client.call('listEntries', {}, auditorOf(tenant, roles)))).toBe('FORBIDDEN 403');
      expect(await codeOf(client.stream('exportEntries', { format: 'csv' }, auditorOf(tenant, roles)))).toBe(
        'FORBIDDEN 403',
      );
    }
  });

  it('replays, keeps a retention policy and forgets a subject for the identity’s tenant', async () => {
    const tenant = `tenant-${randomUUID()}`;
    await audit.record(sampleHistory(tenant));
    const me = auditAdminOf(tenant);
    expect(await client.call('replay', {}, me)).toMatchObject({
      status: 'verified',
      counts: { entries: 6, events: 6 },
    });
    const scheduled = await client.call('setRetention', { retentionDays: 400, reason: 'policy' }, me);
    expect(scheduled).toMatchObject({
      change: 'shortening-scheduled',
      retentionDays: null,
      pending: { retentionDays: 400, reason: 'policy' },
      anchor: null,
    });
    expect(await client.call('getRetention', {}, auditorOf(tenant))).toEqual({
      retentionDays: null,
      pending: scheduled.pending,
      anchor: null,
    });
    const forgotten = await client.call('forgetSubject', { subject: 'alice@example.com' }, me);
    expect((await client.call('listEntries', { action: 'RunRequested' }, me)).items[0]!.actor).toMatchObject({
      subject: null,
      forgotten: true,
      pseudonym: forgotten.pseudonym,
    });
    const [event] = await audit.store.readStream(`forgotten-${forgotten.pseudonym}`);
    expect(event!.event).toMatchObject({
      type: 'SubjectForgotten',
      tenantId: tenant,
      actor: { subject: 'audit-admin-1' },
    });
  });

  it('leaves auditors read-only: retention changes and forgetting are for audit-admins', async () => {
    const tenant = `tenant-${randomUUID()}`;
    await audit.record(sampleHistory(tenant));
    for (const roles of [['auditor'], ['admin'], []]) {
      const them = auditorOf(tenant, roles);
      expect(await codeOf(client.call('setRetention', { retentionDays: 1, reason: 'x' }, them))).toBe('FORBIDDEN 403');
      expect(await codeOf(client.call('setRetention', { retentionDays: null }, them))).toBe('FORBIDDEN 403');
      expect(await codeOf(client.call('cancelRetentionShortening', {}, them))).toBe('FORBIDDEN 403');
      expect(await codeOf(client.call('forgetSubject', { subject: 'alice@example.com' }, them))).toBe('FORBIDDEN 403');
    }
    expect(await client.call('getRetention', {}, auditorOf(tenant))).toEqual({
      retentionDays: null,
      pending: null,
      anchor: null,
    });
    expect((await client.call('listEntries', { actor: 'alice@example.com' }, auditorOf(tenant))).items).toHaveLength(3);
  });

  it('refuses a shortening without a reason, and a cancellation with nothing waiting', async () => {
    const me = auditAdminOf(`tenant-${randomUUID()}`);
    const refused = await client.call('setRetention', { retentionDays: 1 }, me).catch((error: unknown) => error);
    expect(refused).toMatchObject({
      code: 'INVALID_INPUT',
      message: 'shortening the audit retention from for ever to 1 days needs a reason',
    });
    expect(await codeOf(client.call('setRetention', { retentionDays: 1, reason: ' ' }, me))).toBe('INVALID_INPUT 400');
    expect(await codeOf(client.call('cancelRetentionShortening', { reason: 'x' }, me))).toBe('NOT_FOUND 404');
    expect(await client.call('setRetention', { retentionDays: 30, reason: 'costs' }, me)).toMatchObject({
      change: 'shortening-scheduled',
    });
    expect(await client.call('cancelRetentionShortening', { reason: 'wrong tenant' }, me)).toMatchObject({
      change: 'shortening-cancelled',
      pending: null,
    });
  });

  it('refuses to let anyone forget themselves, by subject or by API key', async () => {
    const tenant = `tenant-${randomUUID()}`;
    await audit.record(sampleHistory(tenant, 'admin@example.com'));
    const byKey = { subject: 'api-key:0123456789ab', authMethod: 'api_key', apiKeyId: '0123456789ab' };
    for (const [actor, subject] of [
      [ADMIN_ACTOR, 'audit-admin-1'],
      [byKey, 'api-key:0123456789ab'],
    ] as const) {
      const refused = await client
        .call('forgetSubject', { subject, reason: 'cover my tracks' }, auditAdminOf(tenant, actor))
        .catch((error: unknown) => error);
      expect(refused).toMatchObject({
        code: 'FORBIDDEN',
        status: 403,
        message: 'you cannot forget your own subject: another audit-admin must make the request',
      });
    }
    // Someone else's subject is fine.
    expect(
      await client.call('forgetSubject', { subject: 'admin@example.com' }, auditAdminOf(tenant, byKey)),
    ).toMatchObject({ pseudonym: expect.any(String) });
  });

  it('streams an export as JSONL or CSV, page after page', async () => {
    const tenant = `tenant-${randomUUID()}`;
    const events = Array.from({ length: 1_203 }, (_, index) =>
      auditedEvent('RunStarted', { runId: `r-${index}`, totalCases: index }, tenant, {
        subject: index % 2 ? 'alice' : 'bob,"the builder"',
      }),
    );
    for (const event of events) await audit.projection.apply(event); // the log alone: the store is not needed to read
    const jsonl = await client.stream('exportEntries', { format: 'jsonl' }, auditorOf(tenant));
    expect(jsonl.contentType).toMatch(/^application\/x-ndjson/);
    const lines = (await text(jsonl.body))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditEntryView);
    expect(lines.map((line) => line.seq)).toEqual(events.map((_, index) => index + 1));
    const csv = await client.stream('exportEntries', { format: 'csv', actor: 'bob,"the builder"' }, auditorOf(tenant));
    expect(csv.contentType).toMatch(/^text\/csv/);
    const rows = (await text(csv.body)).trimEnd().split('\r\n');
    expect(rows[0]).toMatch(/^seq,eventId,occurredAt,action/);
    expect(rows).toHaveLength(1 + 602);
    expect(rows[1]).toContain(',"bob,""the builder""",');
    expect(await codeOf(client.stream('exportEntries', { format: 'jsonl', to: 'soon' }, auditorOf(tenant)))).toBe(
      'INVALID_INPUT 400',
    );
  });
});
