import { jest } from '@jest/globals';
import { DrillPlatform } from './support/drill-platform.js';
import { drillBroker, drillDatabaseUrl } from './support/drill-servers.js';
import { CASES, exactlyOnce, report, RunLedger, until } from './support/run-ledger.js';

jest.setTimeout(600_000);

/**
 * Drill: the runs worker killed (SIGKILL) while LLM judge calls are in flight, then started again.
 * The batches it held are leased; the restarted worker scores them again, and the stream must
 * still record each case once and the run's cost once.
 */
describe('drill: worker killed with judge calls in flight', () => {
  let platform: DrillPlatform;
  let ledger: RunLedger;
  const broker = drillBroker();

  beforeAll(async () => {
    platform = await DrillPlatform.start({
      brokers: broker.brokers,
      databaseUrl: drillDatabaseUrl(),
      judgeDelayMs: 800,
    });
    ledger = new RunLedger(platform, drillDatabaseUrl(), broker.brokers);
    await platform.routeGateFailuresToSlack();
  });

  afterAll(async () => {
    await ledger?.close();
    await platform?.stop();
  });

  it('scores no case twice and counts no cost twice', async () => {
    const started = Date.now();
    const response = await ledger.submit();
    expect(response.status).toBe(202);
    const { runId } = (await response.json()) as { runId: string };
    await until('some scored cases', async () => (await ledger.scoredCases(runId)) >= 5, 120_000);
    // The judge holds each answer 800 ms: right after another request arrives, calls are in flight.
    const before = platform.llm.requestCount;
    await until('a judge call in flight', async () => platform.llm.requestCount > before, 30_000);
    await platform.kill('runs');
    const scoredAtKill = await ledger.scoredCases(runId);
    const judgeCallsAtKill = platform.llm.requestCount;
    await platform.startService('runs');

    const counts = await ledger.count(runId);
    report('worker killed, judge calls in flight', {
      ...counts,
      scoredAtKill,
      judgeCallsAtKill,
      judgeCalls: platform.llm.requestCount,
      durationMs: Date.now() - started,
    });
    expect(scoredAtKill).toBeLessThan(CASES);
    expect(counts).toEqual(expect.objectContaining(exactlyOnce(counts)));
    expect(counts.costUsd).toBeGreaterThan(0);
  });
});
