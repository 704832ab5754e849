import { jest } from '@jest/globals';
import { OwnPostgres } from '@evalvault/platform/testing';
import { DrillPlatform } from './support/drill-platform.js';
import { drillBroker } from './support/drill-servers.js';
import { CASES, exactlyOnce, report, RunLedger, until } from './support/run-ledger.js';

jest.setTimeout(600_000);

const DOWN_MS = 10_000;

/**
 * Drill: PostgreSQL (the event store and every read model) stopped for 10 s in the middle of a run
 * and started again. The services' pools reconnect; the run completes with each case once.
 */
describe('drill: PostgreSQL restarted during a run', () => {
  const postgres = new OwnPostgres(Number(process.env['DRILL_PG_PORT'] ?? 15_432));
  let platform: DrillPlatform;
  let ledger: RunLedger;
  const broker = drillBroker();

  beforeAll(async () => {
    postgres.start();
    platform = await DrillPlatform.start({
      brokers: broker.brokers,
      databaseUrl: postgres.databaseUrl,
      judgeDelayMs: 300,
    });
    ledger = new RunLedger(platform, postgres.databaseUrl, broker.brokers);
    await platform.routeGateFailuresToSlack();
  });

  afterAll(async () => {
    await ledger?.close().catch(() => undefined);
    await platform?.stop();
    postgres.stop();
  });

  it('completes the run with every case, event and notification exactly once', async () => {
    const started = Date.now();
    const response = await ledger.submit();
    expect(response.status).toBe(202);
    const { runId } = (await response.json()) as { runId: string };
    await until('some scored cases', async () => (await ledger.scoredCases(runId)) >= 5, 120_000);
    const scoredAtStop = await ledger.scoredCases(runId);
    postgres.halt();
    await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
    postgres.resume();

    const counts = await ledger.count(runId);
    report('PostgreSQL stopped 10 s', { ...counts, scoredAtStop, durationMs: Date.now() - started });
    expect(scoredAtStop).toBeLessThan(CASES);
    expect(counts).toEqual(expect.objectContaining(exactlyOnce(counts)));
  });
});
