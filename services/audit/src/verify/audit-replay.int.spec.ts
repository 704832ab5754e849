import { randomUUID } from 'node:crypto';
import { AuditReplay } from './audit-replay.js';
import { canonicalJson, chainHash, type CanonicalEntry } from '../log/canonical.js';
import { auditedEvent, openAuditHarness, sampleHistory, type AuditHarness } from '../testing/audit-harness.js';

/**
 * Tamper evidence against the real PostgreSQL: the log is edited, cut and shuffled directly
 * in its table, as someone with database access would, and the replay from the event store
 * finds each change and says where.
 */
describe('audit replay', () => {
  let audit: AuditHarness;
  beforeAll(async () => {
    audit = await openAuditHarness();
  });
  afterAll(async () => {
    await audit.close();
  });

  async function recordedTenant(): Promise<string> {
    const tenant = `tenant-${randomUUID()}`;
    await audit.record(sampleHistory(tenant));
    return tenant;
  }
  const entryAt = async (
    tenant: string,
    seq: number,
  ): Promise<{ canonical: string; prev_hash: string; hash: string; event_id: string }> =>
    (
      await audit.pool.query(
        `SELECT canonical, prev_hash, hash, event_id FROM audit.entries WHERE tenant_id = $1 AND seq = $2`,
        [tenant, seq],
      )
    ).rows[0];

  it('rebuilds the log from the event store and verifies it entry by entry', async () => {
    const tenant = await recordedTenant();
    const report = await audit.replay.replay(tenant);
    expect(report).toMatchObject({
      status: 'verified',
      counts: { entries: 6, events: 6, purged: 0, compared: 6 },
      firstDifference: null,
    });
    const head = (await audit.pool.query(`SELECT hash FROM audit.chain_heads WHERE tenant_id = $1`, [tenant])).rows[0]
      .hash;
    expect(report.headHash).toBe(head);
  });

  it('records a redelivered event once', async () => {
    const tenant = `tenant-${randomUUID()}`;
    const [event] = sampleHistory(tenant);
    await audit.record([event!]);
    expect(await audit.projection.apply(event!)).toBe(false);
    expect((await audit.replay.replay(tenant)).counts).toMatchObject({ entries: 1, events: 1 });
  });

  it('detects and locates an entry edited in the table', async () => {
    const tenant = await recordedTenant();
    await audit.pool.query(
      `UPDATE audit.entries SET canonical = replace(canonical, '"cross-tenant"', '"missing-role"')
        WHERE tenant_id = $1 AND seq = 4`,
      [tenant],
    );
    const report = await audit.replay.replay(tenant);
    expect(report.status).toBe('mismatch');
    expect(report.firstDifference).toMatchObject({
      seq: 4,
      kind: 'edited',
      field: 'details.reason',
      expected: '"cross-tenant"',
      actual: '"missing-role"',
    });
  });

  it('detects an edit whose whole chain was recomputed, against the event store', async () => {
    const tenant = await recordedTenant();
    const rows = (
      await audit.pool.query(`SELECT seq, canonical FROM audit.entries WHERE tenant_id = $1 ORDER BY seq`, [tenant])
    ).rows as { seq: string; canonical: string }[];
    let previous = '0'.repeat(64);
    for (const row of rows) {
      const content = JSON.parse(row.canonical) as CanonicalEntry;
      if (row.seq === '2') content.resources[1]!.version = 4; // the run "used" another dataset version
      const canonical = canonicalJson(content);
      const hash = chainHash(previous, canonical);
      await audit.pool.query(
        `UPDATE audit.entries SET canonical = $3, prev_hash = $4, hash = $5 WHERE tenant_id = $1 AND seq = $2`,
        [tenant, row.seq, canonical, previous, hash],
      );
      previous = hash;
    }
    await audit.pool.query(`UPDATE audit.chain_heads SET hash = $2 WHERE tenant_id = $1`, [tenant, previous]);
    expect((await audit.replay.replay(tenant)).firstDifference).toMatchObject({
      seq: 2,
      kind: 'edited',
      field: 'resources.1.version',
      expected: '3',
      actual: '4',
    });
  });

  it('detects and locates a deleted entry', async () => {
    const tenant = await recordedTenant();
    const deleted = await entryAt(tenant, 3);
    await audit.pool.query(`DELETE FROM audit.entries WHERE tenant_id = $1 AND seq = 3`, [tenant]);
    expect((await audit.replay.replay(tenant)).firstDifference).toMatchObject({ seq: 3, kind: 'missing' });
    // Renumbered to hide the gap: the next entry no longer links, and the store still has the event.
    await audit.pool.query(`UPDATE audit.entries SET seq = seq - 1 WHERE tenant_id = $1 AND seq > 3`, [tenant]);
    expect((await audit.replay.replay(tenant)).firstDifference).toMatchObject({ seq: 3, kind: 'out_of_order' });
    expect(deleted.event_id).toBeDefined();
  });

  it('detects a deleted last entry by the chain head, and a deletion with a re-linked chain by the store', async () => {
    const tenant = await recordedTenant();
    await audit.pool.query(`DELETE FROM audit.entries WHERE tenant_id = $1 AND seq = 6`, [tenant]);
    expect((await audit.replay.replay(tenant)).firstDifference).toMatchObject({ seq: 6, kind: 'missing' });
    await audit.pool.query(
      `UPDATE audit.chain_heads
          SET seq = 5, hash = (SELECT hash FROM audit.entries WHERE tenant_id = $1 AND seq = 5)
        WHERE tenant_id = $1`,
      [tenant],
    );
    const report = await audit.replay.replay(tenant);
    expect(report.firstDifference).toMatchObject({ seq: null, kind: 'missing', eventId: expect.any(String) });
    expect(report.firstDifference!.message).toMatch(/in the event store but has no audit entry/);
  });

  it('counts an event younger than the grace with no entry yet as pending, an older one as missing', async () => {
    const tenant = await recordedTenant();
    const [first] = sampleHistory(tenant);
    const fresh = { ...first!, eventId: randomUUID(), streamId: `audit-test-${randomUUID()}`, occurredAt: Date.now() };
    await audit.store.append(fresh.streamId, [fresh], 'any'); // in the store, not consumed yet
    const patient = new AuditReplay(audit.pool, audit.store, 1_000, 60_000);
    const report = await patient.replay(tenant);
    expect(report).toMatchObject({ status: 'verified', counts: { entries: 6, events: 7, pending: 1 } });
    const strict = await audit.replay.replay(tenant);
    expect(strict.firstDifference).toMatchObject({ kind: 'missing', eventId: fresh.eventId });
    expect(strict.counts.pending).toBe(0);
  });

  it('detects and locates entries reordered in the table', async () => {
    const tenant = await recordedTenant();
    for (const [from, to] of [
      [2, -2],
      [5, 2],
      [-2, 5],
    ]) {
      await audit.pool.query(`UPDATE audit.entries SET seq = $3 WHERE tenant_id = $1 AND seq = $2`, [tenant, from, to]);
    }
    const report = await audit.replay.replay(tenant);
    expect(report.firstDifference).toMatchObject({ seq: 2, kind: 'out_of_order', field: 'prev_hash' });
    expect(report.counts.entries).toBe(2); // stopped at the first difference
  });

  it('calls an entry inserted without an event forged, and a lying index column edited', async () => {
    const tenant = await recordedTenant();
    const stranger = auditedEvent('RunStarted', { runId: 'r', totalCases: 1 }, `tenant-${randomUUID()}`);
    await audit.record([stranger]); // another tenant's event…
    await audit.pool.query(`UPDATE audit.entries SET tenant_id = $1, seq = 7 WHERE event_id = $2`, [
      tenant,
      stranger.eventId,
    ]); // …moved into this log
    await audit.pool.query(`UPDATE audit.chain_heads SET seq = 7 WHERE tenant_id = $1`, [tenant]);
    expect((await audit.replay.replay(tenant)).firstDifference).toMatchObject({
      seq: 7,
      kind: 'forged',
      eventId: stranger.eventId,
    });

    const other = await recordedTenant();
    await audit.pool.query(`UPDATE audit.entries SET outcome = 'success' WHERE tenant_id = $1 AND seq = 4`, [other]);
    expect((await audit.replay.replay(other)).firstDifference).toMatchObject({
      seq: 4,
      kind: 'edited',
      field: 'outcome',
    });
  });

  it('never shows the subject in clear in the log', async () => {
    const tenant = await recordedTenant();
    const { rows } = await audit.pool.query(`SELECT canonical FROM audit.entries WHERE tenant_id = $1`, [tenant]);
    expect(rows).toHaveLength(6);
    for (const { canonical } of rows) expect(canonical).not.toMatch(/alice|mallory/);
  });
});
