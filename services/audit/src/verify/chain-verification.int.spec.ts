import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { openAuditHarness, sampleHistory, type AuditHarness } from '../testing/audit-harness.js';
import { verifyAllChains } from './chain-verification.js';

/** The scheduled verification on the real PostgreSQL: every tenant's chain replayed, a tampered one named. */
describe('verification of every audit chain', () => {
  let audit: AuditHarness;
  beforeAll(async () => {
    audit = await openAuditHarness();
  });
  afterAll(async () => {
    await audit.close();
  });

  it('verifies each tenant and names the one whose log was edited, with the difference', async () => {
    const [intact, tampered] = [`tenant-${randomUUID()}`, `tenant-${randomUUID()}`];
    await audit.record([...sampleHistory(intact), ...sampleHistory(tampered)]);
    await audit.pool.query(
      `UPDATE audit.entries SET canonical = replace(canonical, '"cross-tenant"', '"missing-role"')
        WHERE tenant_id = $1 AND seq = 4`,
      [tampered],
    );
    const result = await verifyAllChains(audit.pool, audit.replay, pino({ level: 'silent' }), [intact, tampered]);
    expect(result).toEqual({
      verified: [intact],
      failed: [{ tenantId: tampered, reason: expect.stringContaining('details.reason') }],
    });
  });
});
