import { randomBytes } from 'node:crypto';
import { jest } from '@jest/globals';
import {
  migrateTestDatabase,
  startServiceProcess,
  stopRunsProcess,
  type RunsProcess,
} from '@evalvault/platform/testing';
import type { AuditEntryView, AuditPage, AuditReplayReport } from '@evalvault/service-apis';

// Two processes, a new consumer group pinned to the end of seven topics (~5 s each), relays: minutes at worst.
jest.setTimeout(180_000);

/**
 * The audit log end to end, in distributed mode: the gateway appends its own events (an API
 * key issued, accesses it refused), its relay publishes them, the audit service's consumer
 * group records them, and an auditor reads, exports and replays over the gateway while an
 * audit-admin forgets and asks for (and cancels) a shortening of the retention. The bootstrap
 * key reads nothing: it issues those two keys, as an admin would.
 */
describe('audit log through the gateway', () => {
  const processes: RunsProcess[] = [];
  const suffix = randomBytes(4).toString('hex');
  const bootstrapKey = `evk_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`;
  const bootstrapSubject = `api-key:${bootstrapKey.split('_')[1]}`;
  const secrets = {
    E2E_INTERNAL_SECRET: randomBytes(32).toString('base64url'),
    E2E_PEPPER: randomBytes(32).toString('base64url'),
  };
  let gateway: string;
  let auditorKey: string;
  let auditAdminKey: string;
  let auditAdminSubject: string;

  beforeAll(async () => {
    migrateTestDatabase();
    const shared = { ...secrets, EVALVAULT_INTERNAL_SECRET_REF: 'env:E2E_INTERNAL_SECRET' };
    const audit = await startServiceProcess('audit', {
      ...shared,
      AUDIT_GROUP_ID: `e2e-audit-${suffix}`,
      AUDIT_CONSUMER_START: 'latest',
      AUDIT_RELAY_NAME: `e2e-audit-${suffix}`,
      AUDIT_RELAY_START: 'latest',
    });
    processes.push(audit);
    const gatewayProcess = await startServiceProcess('gateway', {
      ...shared,
      EVALVAULT_API_KEY_PEPPER_REF: 'env:E2E_PEPPER',
      EVALVAULT_BOOTSTRAP_ADMIN_KEY: bootstrapKey,
      AUDIT_SERVICE_URL: audit.url,
      GATEWAY_RELAY_NAME: `e2e-gateway-${suffix}`,
      GATEWAY_RELAY_START: 'latest',
    });
    processes.push(gatewayProcess);
    gateway = gatewayProcess.url;
    const issue = async (name: string, tenantRoles: string[]): Promise<{ key: string; apiKeyId: string }> => {
      const issued = await call('/v1/projects/default/api-keys', bootstrapKey, {
        method: 'POST',
        body: JSON.stringify({ name: `${name}-${suffix}`, role: 'viewer', tenantRoles }),
      });
      expect(issued.status).toBe(201);
      return (await issued.json()) as { key: string; apiKeyId: string };
    };
    auditorKey = (await issue('e2e-auditor', ['auditor'])).key;
    const auditAdmin = await issue('e2e-audit-admin', ['audit-admin']);
    auditAdminKey = auditAdmin.key;
    auditAdminSubject = `api-key:${auditAdmin.apiKeyId}`;
  });

  afterAll(async () => {
    await Promise.all(processes.map((process) => stopRunsProcess(process)));
  });

  const call = (path: string, key: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${gateway}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${key}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
    });

  /** Polls the log (the relay and the consumer are asynchronous) until `count` entries match. */
  async function entries(query: string, count: number): Promise<AuditEntryView[]> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const response = await call(`/v1/audit?${query}`, auditorKey);
      expect(response.status).toBe(200);
      const page = (await response.json()) as AuditPage;
      if (page.items.length >= count) return page.items;
      if (Date.now() > deadline) throw new Error(`only ${page.items.length} of ${count} entries for ${query}`);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }

  it('records what happened and what was refused, and shows it only to auditors', async () => {
    const issued = await call('/v1/projects/default/api-keys', bootstrapKey, {
      method: 'POST',
      body: JSON.stringify({ name: `e2e-${suffix}`, role: 'viewer' }),
    });
    expect(issued.status).toBe(201);
    const { key: viewerKey, apiKeyId: keyId } = (await issued.json()) as { key: string; apiKeyId: string };
    const viewer = `api-key:${keyId}`;
    expect(
      (
        await call('/v1/projects/default/api-keys', viewerKey, {
          method: 'POST',
          body: JSON.stringify({ name: 'nope', role: 'admin' }),
        })
      ).status,
    ).toBe(403);
    expect((await call('/v1/audit', viewerKey)).status).toBe(403);
    expect((await call('/v1/audit', bootstrapKey)).status).toBe(403);

    const [issuedEntry] = await entries(`action=ApiKeyIssued&resource=${encodeURIComponent(`api-key:${keyId}`)}`, 1);
    expect(issuedEntry).toMatchObject({
      projectId: 'default',
      outcome: 'success',
      actor: { subject: bootstrapSubject, authMethod: 'api_key', forgotten: false },
      details: { role: 'viewer' },
    });

    const denied = await entries(`action=AccessDenied&actor=${encodeURIComponent(viewer)}`, 2);
    expect(
      denied.map((entry) => [
        entry.details['route'],
        entry.details['requiredRole'],
        entry.details['status'],
        entry.outcome,
      ]),
    ).toEqual([
      ['/v1/projects/:project/api-keys', 'admin', 403, 'denied'],
      ['/v1/audit', 'auditor', 403, 'denied'],
    ]);

    const csv = await call(`/v1/audit/export?format=csv&actor=${encodeURIComponent(viewer)}`, auditorKey);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = (await csv.text()).trimEnd().split('\r\n');
    expect(rows).toHaveLength(3);
    expect(rows[1]).toContain(',AccessDenied,denied,default,api-key:');

    const replay = await call('/v1/audit/replay', auditorKey, { method: 'POST' });
    expect(replay.status).toBe(200);
    // Tenant `default` is shared by every test run on this database: other runs' events may have no entry here.
    expect((await replay.json()) as AuditReplayReport).toMatchObject({
      status: expect.stringMatching(/^(verified|mismatch)$/),
      counts: { entries: expect.any(Number) },
    });
  });

  it('forgets a subject: its entries stay, unreadable, and the forgetting is audited', async () => {
    const issued = await call('/v1/projects/default/api-keys', bootstrapKey, {
      method: 'POST',
      body: JSON.stringify({ name: `e2e-forget-${suffix}`, role: 'viewer' }),
    });
    const { key, apiKeyId: keyId } = (await issued.json()) as { key: string; apiKeyId: string };
    const subject = `api-key:${keyId}`;
    expect((await call('/v1/audit/retention', key)).status).toBe(403);
    const [before] = await entries(`action=AccessDenied&actor=${encodeURIComponent(subject)}`, 1);
    expect(before!.actor.subject).toBe(subject);

    for (const key of [bootstrapKey, auditorKey])
      expect(
        (await call('/v1/audit/subjects/forget', key, { method: 'POST', body: JSON.stringify({ subject }) })).status,
      ).toBe(403);
    const forgotten = await call('/v1/audit/subjects/forget', auditAdminKey, {
      method: 'POST',
      body: JSON.stringify({ subject, reason: 'e2e' }),
    });
    expect(forgotten.status).toBe(200);
    const { pseudonym } = (await forgotten.json()) as { pseudonym: string };
    expect(pseudonym).toBe(before!.actor.pseudonym);
    const [after] = await entries(`action=AccessDenied&actor=${encodeURIComponent(subject)}`, 1);
    expect(after!.actor).toMatchObject({ subject: null, forgotten: true, pseudonym });

    // Relayed by the audit service itself, then consumed like any event; the audit-admin key is fresh to this run.
    const [found] = await entries(`action=SubjectForgotten&actor=${encodeURIComponent(auditAdminSubject)}`, 1);
    expect(found).toMatchObject({
      actor: { subject: auditAdminSubject },
      target: { subject: null, pseudonym, forgotten: true },
      projectId: '*',
    });
  });

  it('shortens the retention only with a reason, after a delay, and records who asked', async () => {
    expect(
      (
        await call('/v1/audit/retention', auditorKey, {
          method: 'PUT',
          body: JSON.stringify({ retentionDays: 1, reason: 'x' }),
        })
      ).status,
    ).toBe(403);
    // Tenant `default` is shared by every run on this database: shorten what is in force by a day, then cancel.
    const before = (await (await call('/v1/audit/retention', auditorKey)).json()) as {
      retentionDays: number | null;
      pending: unknown;
    };
    const shorter = before.retentionDays === null ? 36_500 : before.retentionDays - 1;
    if (shorter < 1) return;
    const unexplained = await call('/v1/audit/retention', auditAdminKey, {
      method: 'PUT',
      body: JSON.stringify({ retentionDays: shorter }),
    });
    expect(unexplained.status).toBe(400);
    const scheduled = await call('/v1/audit/retention', auditAdminKey, {
      method: 'PUT',
      body: JSON.stringify({ retentionDays: shorter, reason: `e2e ${suffix}` }),
    });
    expect(scheduled.status).toBe(202);
    const view = (await scheduled.json()) as { retentionDays: number | null; pending: { effectiveAt: string } };
    expect(view.retentionDays).toBe(before.retentionDays);
    // The default delay is 72 hours.
    expect(Date.parse(view.pending.effectiveAt) - Date.now()).toBeGreaterThan(71 * 60 * 60 * 1000);
    const cancelled = await call(
      `/v1/audit/retention/pending?reason=${encodeURIComponent(`e2e ${suffix}`)}`,
      auditAdminKey,
      {
        method: 'DELETE',
      },
    );
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({ retentionDays: before.retentionDays, pending: null });

    // Both relayed from the audit service's retention stream and recorded like any event.
    const recorded = await entries(`action=AuditRetentionChanged&actor=${encodeURIComponent(auditAdminSubject)}`, 2);
    expect(
      recorded.map((entry) => [entry.details['change'], entry.details['toDays'], entry.details['reason']]),
    ).toEqual([
      ['shortening-scheduled', shorter, `e2e ${suffix}`],
      ['shortening-cancelled', shorter, `e2e ${suffix}`],
    ]);
  });
});
