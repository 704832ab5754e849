import { randomUUID } from 'node:crypto';
import { auditedEvent, openAuditHarness, type AuditHarness } from '../testing/audit-harness.js';
import { retentionStreamId } from './audit-retention.js';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 10, 26, 12, 0);
const iso = (time: number): string => new Date(time).toISOString();

/** Entries 1–3 are 100, 50 and 40 days old at NOW, 4 is 10 days old, 5 is 60 days old (arrived late), 6 is new. */
async function historyIn(audit: AuditHarness): Promise<string> {
  const tenant = `tenant-${randomUUID()}`;
  const ages = [100, 50, 40, 10, 60, 0];
  await audit.record(
    ages.map((age, index) =>
      auditedEvent('RunStarted', { runId: `r-${index}`, totalCases: index }, tenant, { occurredAt: NOW - age * DAY }),
    ),
  );
  return tenant;
}

/** What the relay and the audit log's consumer do with the retention stream, at once. */
async function deliverRetentionEvents(audit: AuditHarness, tenant: string): Promise<void> {
  for (const { event } of await audit.store.readStream(retentionStreamId(tenant))) await audit.projection.apply(event);
}

const ADMIN = { actor: { subject: 'audit-admin-1', authMethod: 'oidc', apiKeyId: null }, correlationId: 'c-1' };

/**
 * Retention purges a chain prefix behind an anchor; verification starts from the anchor and still catches
 * tampering.
 */
describe('audit retention', () => {
  let audit: AuditHarness;
  beforeAll(async () => {
    // No shortening delay here: these tests are about what a purge removes (the delay is tested below).
    audit = await openAuditHarness({ now: () => NOW, shorteningDelayMs: 0 });
  });
  afterAll(async () => {
    await audit.close();
  });

  const retain = async (tenant: string, retentionDays: number): Promise<void> => {
    await audit.retention.set(tenant, { retentionDays, reason: 'test' }, ADMIN);
    await deliverRetentionEvents(audit, tenant);
  };
  const history = (): Promise<string> => historyIn(audit);

  it('keeps everything without a policy', async () => {
    const tenant = await history();
    expect(await audit.retention.purge(tenant, NOW)).toBe(0);
    expect(await audit.retention.get(tenant)).toEqual({ retentionDays: null, pending: null, anchor: null });
  });

  it('purges the old prefix, anchors it, and the replay still verifies', async () => {
    const tenant = await history();
    await retain(tenant, 30);
    const hashOf3 = (
      await audit.pool.query(`SELECT hash FROM audit.entries WHERE tenant_id = $1 AND seq = 3`, [tenant])
    ).rows[0].hash;
    expect(await audit.retention.purge(tenant, NOW)).toBe(3);
    const view = await audit.retention.get(tenant);
    expect(view).toEqual({
      retentionDays: 30,
      pending: null,
      anchor: {
        throughSeq: 3,
        throughHash: hashOf3,
        purgedCount: 3,
        purgedBefore: new Date(NOW - 30 * DAY).toISOString(),
      },
    });
    // 5 is old but behind a younger entry; 7 is the retention change itself.
    expect((await audit.queries.list(tenant, {})).items.map((item) => item.seq)).toEqual([4, 5, 6, 7]);
    expect(await audit.replay.replay(tenant)).toMatchObject({
      status: 'verified',
      counts: { entries: 4, events: 7, purged: 3, compared: 4 },
    });

    await retain(tenant, 5);
    expect(await audit.retention.purge(tenant, NOW)).toBe(2);
    expect(await audit.replay.replay(tenant)).toMatchObject({ status: 'verified', counts: { entries: 3, purged: 5 } });
    await audit.record([auditedEvent('RunStarted', { runId: 'r-new', totalCases: 1 }, tenant, { occurredAt: NOW })]);
    expect(await audit.replay.replay(tenant)).toMatchObject({ status: 'verified', counts: { entries: 4, events: 9 } });
  });

  it('still locates a deletion after the anchor, and an anchor that lies about what it purged', async () => {
    const tenant = await history();
    await retain(tenant, 30);
    await audit.retention.purge(tenant, NOW);
    await audit.pool.query(`DELETE FROM audit.entries WHERE tenant_id = $1 AND seq = 4`, [tenant]);
    expect((await audit.replay.replay(tenant)).firstDifference).toMatchObject({ seq: 4, kind: 'missing' });

    const other = await history();
    await retain(other, 30);
    await audit.retention.purge(other, NOW);
    // Entry 5 (60 days old) deleted and the anchor moved over it, as if retention had taken it.
    await audit.pool.query(`DELETE FROM audit.entries WHERE tenant_id = $1 AND seq IN (4, 5)`, [other]);
    await audit.pool.query(
      `UPDATE audit.anchors
          SET through_seq = 5, through_hash = (SELECT prev_hash FROM audit.entries WHERE tenant_id = $1 AND seq = 6)
        WHERE tenant_id = $1`,
      [other],
    );
    const report = await audit.replay.replay(other);
    expect(report.firstDifference).toMatchObject({ kind: 'missing', seq: null });

    const third = await history();
    await retain(third, 30);
    await audit.retention.purge(third, NOW);
    await audit.pool.query(`UPDATE audit.anchors SET purged_count = 2 WHERE tenant_id = $1`, [third]);
    expect((await audit.replay.replay(third)).firstDifference).toMatchObject({
      kind: 'purged_mismatch',
      expected: '2',
      actual: '3',
    });
  });

  it('purges every tenant with a policy in one pass', async () => {
    const [a, b] = [await history(), await history()];
    await retain(a, 30);
    await retain(b, 45);
    await audit.retention.purgeAll(NOW);
    expect((await audit.retention.get(a)).anchor?.purgedCount).toBe(3);
    expect((await audit.retention.get(b)).anchor?.purgedCount).toBe(2);
  });
});

/**
 * Shortening the retention waits: it needs a reason, it is recorded (who, why, from, to, from
 * when), and purges keep the longer retention until the delay has passed; a lengthening is in
 * force at once, and a waiting shortening can be cancelled. The clock is moved, never waited for.
 */
describe('shortening the audit retention', () => {
  const DELAY = 72 * HOUR; // the service's default
  let clock = NOW;
  let audit: AuditHarness;
  beforeAll(async () => {
    audit = await openAuditHarness({ now: () => clock });
  });
  afterAll(async () => {
    await audit.close();
  });
  beforeEach(() => {
    clock = NOW;
  });

  const payloads = async (tenant: string): Promise<unknown[]> =>
    (await audit.store.readStream(retentionStreamId(tenant))).map(({ event }) => event.payload);

  it('needs a reason, and records who asked for which shortening, why and from when', async () => {
    const tenant = await historyIn(audit);
    for (const reason of [undefined, null, '', '   '])
      await expect(audit.retention.set(tenant, { retentionDays: 1, reason }, ADMIN)).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        message: 'shortening the audit retention from for ever to 1 days needs a reason',
      });
    expect(await payloads(tenant)).toEqual([]);
    expect(await audit.retention.get(tenant)).toEqual({ retentionDays: null, pending: null, anchor: null });

    const scheduled = await audit.retention.set(tenant, { retentionDays: 1, reason: ' storage costs ' }, ADMIN);
    expect(scheduled).toEqual({
      change: 'shortening-scheduled',
      retentionDays: null,
      pending: {
        retentionDays: 1,
        reason: 'storage costs',
        requestedAt: iso(NOW),
        effectiveAt: iso(NOW + DELAY),
        eventId: expect.any(String),
      },
      anchor: null,
    });
    const [recorded] = await audit.store.readStream(retentionStreamId(tenant));
    expect(recorded!.event).toEqual(
      expect.objectContaining({
        type: 'AuditRetentionChanged',
        eventId: scheduled.pending!.eventId,
        tenantId: tenant,
        projectId: '*',
        occurredAt: NOW,
        actor: ADMIN.actor,
        payload: {
          change: 'shortening-scheduled',
          fromDays: null,
          toDays: 1,
          reason: 'storage costs',
          effectiveAt: NOW + DELAY,
        },
      }),
    );
    // In the log like any event: who asked is the entry's actor.
    await deliverRetentionEvents(audit, tenant);
    const [entry] = (await audit.queries.list(tenant, { action: 'AuditRetentionChanged' })).items;
    expect(entry).toMatchObject({
      actor: { subject: 'audit-admin-1' },
      resources: [{ type: 'audit-retention', id: tenant }],
      details: { change: 'shortening-scheduled', fromDays: null, toDays: 1, reason: 'storage costs' },
    });
    // Nothing is purged while it waits, and asking again does not bring it forward.
    clock = NOW + DELAY - 1;
    expect(await audit.retention.purge(tenant, clock)).toBe(0);
    expect(await audit.retention.set(tenant, { retentionDays: 1, reason: 'again' }, ADMIN)).toMatchObject({
      change: null,
      retentionDays: null,
      pending: { retentionDays: 1, effectiveAt: iso(NOW + DELAY) },
    });
    expect(await payloads(tenant)).toHaveLength(1);
    clock = NOW + DELAY;
    expect(await audit.retention.purge(tenant, clock)).toBe(7); // the history and the request's own entry
    expect(await audit.retention.get(tenant)).toMatchObject({ retentionDays: 1, pending: null });
  });

  it('purges with the longer retention in force until the shortening’s delay has passed', async () => {
    const tenant = await historyIn(audit);
    clock = NOW - DELAY;
    await audit.retention.set(tenant, { retentionDays: 45, reason: 'policy' }, ADMIN);
    clock = NOW;
    expect(await audit.retention.purge(tenant, clock)).toBe(2); // 100 and 50 days old
    expect(await audit.retention.get(tenant)).toMatchObject({ retentionDays: 45, pending: null });

    await audit.retention.set(tenant, { retentionDays: 30, reason: 'storage costs' }, ADMIN);
    // A minute before the delay ends entry 3 is 43 days old: kept under 45 days, though 30 would take it.
    clock = NOW + DELAY - 60_000;
    expect(await audit.retention.purge(tenant, clock)).toBe(0);
    expect((await audit.queries.list(tenant, {})).items.map((item) => item.seq)).toEqual([3, 4, 5, 6]);
    expect(await audit.retention.get(tenant)).toMatchObject({ retentionDays: 45, pending: { retentionDays: 30 } });
    clock = NOW + DELAY;
    expect(await audit.retention.purge(tenant, clock)).toBe(1);
    expect(await audit.retention.get(tenant)).toMatchObject({ retentionDays: 30, pending: null });
    await deliverRetentionEvents(audit, tenant);
    expect(await audit.replay.replay(tenant)).toMatchObject({
      status: 'verified',
      counts: { entries: 5, events: 8, purged: 3 },
    });
  });

  it('lengthens at once, without a reason, dropping a waiting shortening', async () => {
    const tenant = await historyIn(audit);
    clock = NOW - DELAY;
    await audit.retention.set(tenant, { retentionDays: 30, reason: 'policy' }, ADMIN);
    clock = NOW;
    await audit.retention.set(tenant, { retentionDays: 5, reason: 'clean-up' }, ADMIN);
    expect(await audit.retention.set(tenant, { retentionDays: 90 }, ADMIN)).toMatchObject({
      change: 'applied',
      retentionDays: 90,
      pending: null,
    });
    expect(await audit.retention.set(tenant, { retentionDays: null }, ADMIN)).toMatchObject({
      change: 'applied',
      retentionDays: null,
    });
    expect(await audit.retention.set(tenant, { retentionDays: null }, ADMIN)).toMatchObject({ change: null });
    expect((await payloads(tenant)).slice(-3)).toEqual([
      { change: 'shortening-scheduled', fromDays: 30, toDays: 5, reason: 'clean-up', effectiveAt: NOW + DELAY },
      { change: 'applied', fromDays: 30, toDays: 90, reason: null, effectiveAt: NOW },
      { change: 'applied', fromDays: 90, toDays: null, reason: null, effectiveAt: NOW },
    ]);
    clock = NOW + 2 * DELAY;
    expect(await audit.retention.purge(tenant, clock)).toBe(0);
  });

  it('cancels a waiting shortening, which then never takes effect', async () => {
    const tenant = await historyIn(audit);
    clock = NOW - DELAY;
    await audit.retention.set(tenant, { retentionDays: 200, reason: 'policy' }, ADMIN);
    clock = NOW;
    await audit.retention.set(tenant, { retentionDays: 1, reason: 'oops' }, ADMIN);
    expect(await audit.retention.cancelShortening(tenant, 'typed 1 for 100', ADMIN)).toMatchObject({
      change: 'shortening-cancelled',
      retentionDays: 200,
      pending: null,
    });
    await expect(audit.retention.cancelShortening(tenant, null, ADMIN)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'no shortening of the audit retention is waiting',
    });
    // Asking for the retention in force again cancels too.
    await audit.retention.set(tenant, { retentionDays: 1, reason: 'again' }, ADMIN);
    expect(await audit.retention.set(tenant, { retentionDays: 200, reason: 'no' }, ADMIN)).toMatchObject({
      change: 'shortening-cancelled',
      pending: null,
    });
    expect((await payloads(tenant)).slice(-4)).toEqual([
      { change: 'shortening-scheduled', fromDays: 200, toDays: 1, reason: 'oops', effectiveAt: NOW + DELAY },
      { change: 'shortening-cancelled', fromDays: 200, toDays: 1, reason: 'typed 1 for 100', effectiveAt: null },
      { change: 'shortening-scheduled', fromDays: 200, toDays: 1, reason: 'again', effectiveAt: NOW + DELAY },
      { change: 'shortening-cancelled', fromDays: 200, toDays: 1, reason: 'no', effectiveAt: null },
    ]);
    clock = NOW + 2 * DELAY;
    expect(await audit.retention.purge(tenant, clock)).toBe(0);
    expect(await audit.retention.get(tenant)).toMatchObject({ retentionDays: 200, pending: null });
  });
});
