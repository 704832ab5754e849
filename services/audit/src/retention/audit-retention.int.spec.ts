import { randomUUID } from 'node:crypto';
import { auditedEvent, openAuditHarness, type AuditHarness } from '../testing/audit-harness.js';

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2026, 10, 26, 12, 0);

/** Retention purges a chain prefix behind an anchor; verification starts from the anchor and still catches tampering. */
describe('audit retention', () => {
  let audit: AuditHarness;
  beforeAll(async () => {
    audit = await openAuditHarness();
  });
  afterAll(async () => {
    await audit.close();
  });

  /** Entries 1–3 are 100, 50 and 40 days old, 4 is 10 days old, 5 is 60 days old (arrived late), 6 is new. */
  async function history(): Promise<string> {
    const tenant = `tenant-${randomUUID()}`;
    const ages = [100, 50, 40, 10, 60, 0];
    await audit.record(
      ages.map((age, index) =>
        auditedEvent('RunStarted', { runId: `r-${index}`, totalCases: index }, tenant, { occurredAt: NOW - age * DAY }),
      ),
    );
    return tenant;
  }

  it('keeps everything without a policy', async () => {
    const tenant = await history();
    expect(await audit.retention.purge(tenant, NOW)).toBe(0);
    expect(await audit.retention.get(tenant)).toEqual({ retentionDays: null, anchor: null });
  });

  it('purges the old prefix, anchors it, and the replay still verifies', async () => {
    const tenant = await history();
    await audit.retention.set(tenant, { retentionDays: 30 });
    const hashOf3 = (
      await audit.pool.query(`SELECT hash FROM audit.entries WHERE tenant_id = $1 AND seq = 3`, [tenant])
    ).rows[0].hash;
    expect(await audit.retention.purge(tenant, NOW)).toBe(3);
    const view = await audit.retention.get(tenant);
    expect(view).toEqual({
      retentionDays: 30,
      anchor: {
        throughSeq: 3,
        throughHash: hashOf3,
        purgedCount: 3,
        purgedBefore: new Date(NOW - 30 * DAY).toISOString(),
      },
    });
    expect((await audit.queries.list(tenant, {})).items.map((item) => item.seq)).toEqual([4, 5, 6]); // 5 is old but behind a younger entry
    expect(await audit.replay.replay(tenant)).toMatchObject({
      status: 'verified',
      counts: { entries: 3, events: 6, purged: 3, compared: 3 },
    });

    await audit.retention.set(tenant, { retentionDays: 5 });
    expect(await audit.retention.purge(tenant, NOW)).toBe(2);
    expect(await audit.replay.replay(tenant)).toMatchObject({ status: 'verified', counts: { entries: 1, purged: 5 } });
    await audit.record([auditedEvent('RunStarted', { runId: 'r-new', totalCases: 1 }, tenant, { occurredAt: NOW })]);
    expect(await audit.replay.replay(tenant)).toMatchObject({ status: 'verified', counts: { entries: 2, events: 7 } });
  });

  it('still locates a deletion after the anchor, and an anchor that lies about what it purged', async () => {
    const tenant = await history();
    await audit.retention.set(tenant, { retentionDays: 30 });
    await audit.retention.purge(tenant, NOW);
    await audit.pool.query(`DELETE FROM audit.entries WHERE tenant_id = $1 AND seq = 4`, [tenant]);
    expect((await audit.replay.replay(tenant)).firstDifference).toMatchObject({ seq: 4, kind: 'missing' });

    const other = await history();
    await audit.retention.set(other, { retentionDays: 30 });
    await audit.retention.purge(other, NOW);
    // Entry 5 (60 days old) deleted and the anchor moved over it, as if retention had taken it.
    await audit.pool.query(`DELETE FROM audit.entries WHERE tenant_id = $1 AND seq IN (4, 5)`, [other]);
    await audit.pool.query(
      `UPDATE audit.anchors SET through_seq = 5, through_hash = (SELECT prev_hash FROM audit.entries WHERE tenant_id = $1 AND seq = 6) WHERE tenant_id = $1`,
      [other],
    );
    const report = await audit.replay.replay(other);
    expect(report.firstDifference).toMatchObject({ kind: 'missing', seq: null });

    const third = await history();
    await audit.retention.set(third, { retentionDays: 30 });
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
    await audit.retention.set(a, { retentionDays: 30 });
    await audit.retention.set(b, { retentionDays: 45 });
    await audit.retention.purgeAll(NOW);
    expect((await audit.retention.get(a)).anchor?.purgedCount).toBe(3);
    expect((await audit.retention.get(b)).anchor?.purgedCount).toBe(2);
  });
});
