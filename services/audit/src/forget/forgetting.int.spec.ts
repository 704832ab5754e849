import { randomUUID } from 'node:crypto';
import { keyObject, open } from '../subjects/subject-cipher.js';
import { auditedEvent, openAuditHarness, sampleHistory, type AuditHarness } from '../testing/audit-harness.js';

const auditor = { subject: 'auditor-1', authMethod: 'oidc', apiKeyId: null };

/**
 * Crypto-shredding: forgetting a subject destroys its key; its entries stay, pseudonymous, and the chain
 * still verifies.
 */
describe('forgetting a subject', () => {
  let audit: AuditHarness;
  beforeAll(async () => {
    audit = await openAuditHarness();
  });
  afterAll(async () => {
    await audit.close();
  });

  /** The SubjectForgotten the command appended, recorded as the consumer would. */
  async function forget(tenant: string, subject: string): Promise<string> {
    const { pseudonym, eventId } = await audit.forget.forget(subject, 'erasure request', {
      tenantId: tenant,
      actor: auditor,
      correlationId: randomUUID(),
    });
    const [recorded] = (await audit.store.readStream(`forgotten-${pseudonym}`)).filter(
      (r) => r.event.eventId === eventId,
    );
    await audit.projection.apply(recorded!.event);
    return pseudonym;
  }

  it('makes the subject unreadable in every entry while the chain still verifies', async () => {
    const tenant = `tenant-${randomUUID()}`;
    await audit.record(sampleHistory(tenant, 'alice@example.com'));
    const before = await audit.queries.list(tenant, { actor: 'alice@example.com' });
    expect(before.items.map((item) => item.action)).toEqual([
      'DatasetVersionRegistered',
      'RunRequested',
      'ApiKeyRevoked',
    ]);
    expect(before.items.every((item) => item.actor.subject === 'alice@example.com' && !item.actor.forgotten)).toBe(
      true,
    );
    const sealed = (
      await audit.pool.query(`SELECT canonical FROM audit.entries WHERE tenant_id = $1 AND seq = 1`, [tenant])
    ).rows[0].canonical as string;

    const pseudonym = await forget(tenant, 'alice@example.com');

    const after = await audit.queries.list(tenant, {});
    const alices = after.items.filter((item) => item.actor.pseudonym === before.items[0]!.actor.pseudonym);
    expect(alices).toHaveLength(3);
    expect(alices.every((item) => item.actor.subject === null && item.actor.forgotten)).toBe(true);
    // Others untouched.
    expect(after.items.find((item) => item.action === 'RunStarted')!.actor.subject).toBe('system:runs');
    // The entry of the forgetting itself: who asked, and the forgotten subject as a pseudonym only.
    const forgetting = after.items.find((item) => item.action === 'SubjectForgotten')!;
    expect(forgetting).toMatchObject({
      actor: { subject: 'auditor-1' },
      target: { subject: null, pseudonym, forgotten: true },
      projectId: '*',
    });

    // The key is gone from the table: the stored ciphertext cannot be opened by anyone.
    const key = (
      await audit.pool.query(
        `SELECT key, destroyed_at FROM audit.subject_keys WHERE tenant_id = $1 AND pseudonym = $2`,
        [tenant, pseudonym],
      )
    ).rows[0];
    expect(key).toMatchObject({ key: null, destroyed_at: expect.any(Date) });
    const ciphertext = (JSON.parse(sealed) as { actor: { sealed: string } }).actor.sealed;
    expect(() => open(keyObject(Buffer.alloc(32)), ciphertext, `${tenant}/x/actor`)).toThrow();
    const all = (await audit.pool.query(`SELECT canonical FROM audit.entries WHERE tenant_id = $1`, [tenant])).rows
      .map((row) => row.canonical as string)
      .join('\n');
    expect(all).not.toContain('alice');

    expect(await audit.replay.replay(tenant)).toMatchObject({ status: 'verified', counts: { entries: 7, events: 7 } });
  });

  it('exports the forgotten subject as empty, and never seals a later event of it under a new key', async () => {
    const tenant = `tenant-${randomUUID()}`;
    await audit.record([
      auditedEvent('RunStarted', { runId: 'r-1', totalCases: 1 }, tenant, { subject: 'bob', minute: 1 }),
    ]);
    await forget(tenant, 'bob');
    await audit.record([
      auditedEvent('RunCancelled', { runId: 'r-1', reason: 'late' }, tenant, { subject: 'bob', minute: 3 }),
    ]);

    const lines: string[] = [];
    for await (const line of audit.queries.export(tenant, { format: 'jsonl' })) lines.push(line);
    const views = lines.map(
      (line) => JSON.parse(line) as { action: string; actor: { subject: string | null; forgotten: boolean } },
    );
    expect(views.map((view) => [view.action, view.actor.subject])).toEqual([
      ['RunStarted', null],
      ['SubjectForgotten', 'auditor-1'],
      ['RunCancelled', null],
    ]);
    const late = (
      await audit.pool.query(`SELECT canonical FROM audit.entries WHERE tenant_id = $1 AND seq = 3`, [tenant])
    ).rows[0].canonical as string;
    expect(JSON.parse(late).actor.sealed).toBeNull();
    expect((await audit.replay.replay(tenant)).status).toBe('verified');
  });

  it('finds nothing for a subject the tenant never saw, and leaves other tenants alone', async () => {
    const [tenant, other] = [`tenant-${randomUUID()}`, `tenant-${randomUUID()}`];
    await audit.record([auditedEvent('RunStarted', { runId: 'r', totalCases: 1 }, tenant, { subject: 'carol' })]);
    await audit.record([auditedEvent('RunStarted', { runId: 'r', totalCases: 1 }, other, { subject: 'carol' })]);
    await forget(tenant, 'carol');
    expect((await audit.queries.list(other, {})).items[0]!.actor.subject).toBe('carol');
    expect((await audit.queries.list(tenant, { actor: 'nobody' })).items).toEqual([]);
  });
});
