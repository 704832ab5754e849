import { jest } from '@jest/globals';
import { DrillPlatform } from './support/drill-platform.js';
import { drillBroker, drillDatabaseUrl } from './support/drill-servers.js';
import { exactlyOnce, report, RunLedger, until } from './support/run-ledger.js';

jest.setTimeout(600_000);

/**
 * Drill: the audit service killed (SIGKILL) in the middle of projecting a run's events into its
 * hash chain, then started again: every event in the log once, and the chain unbroken.
 */
describe('drill: audit killed mid-projection', () => {
  let platform: DrillPlatform;
  let ledger: RunLedger;
  const broker = drillBroker();

  beforeAll(async () => {
    platform = await DrillPlatform.start({
      brokers: broker.brokers,
      databaseUrl: drillDatabaseUrl(),
      judgeDelayMs: 150,
    });
    ledger = new RunLedger(platform, drillDatabaseUrl(), broker.brokers);
    await platform.routeGateFailuresToSlack();
  });

  afterAll(async () => {
    await ledger?.close();
    await platform?.stop();
  });

  it('leaves the chain intact and complete after the restart', async () => {
    const started = Date.now();
    const response = await ledger.submit();
    expect(response.status).toBe(202);
    const { runId } = (await response.json()) as { runId: string };
    const projected = async (): Promise<number> =>
      (await ledger.auditOf((await ledger.storeEvents(runId)).map((e) => e.eventId))).entries;
    await until(
      'the run in the audit log, partly',
      async () => (await projected()) >= 3,
      120_000,
      () => platform.outputOf('audit', 6000),
    );
    await platform.kill('audit');
    const entriesAtKill = await projected();
    const eventsAtKill = (await ledger.storeEvents(runId)).length;
    await new Promise((resolve) => setTimeout(resolve, 5_000)); // the run goes on without audit
    await platform.startService('audit');

    const counts = await ledger.count(runId);
    report('audit killed mid-projection', {
      ...counts,
      entriesAtKill,
      eventsAtKill,
      durationMs: Date.now() - started,
    });
    expect(entriesAtKill).toBeLessThan(counts.eventsInStore);
    expect(counts).toEqual(expect.objectContaining(exactlyOnce(counts)));
  });
});
