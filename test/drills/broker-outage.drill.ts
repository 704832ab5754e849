import { execFileSync } from 'node:child_process';
import { jest } from '@jest/globals';
import { DrillPlatform } from './support/drill-platform.js';
import { drillBroker, drillDatabaseUrl } from './support/drill-servers.js';
import { CASES, exactlyOnce, report, RunLedger, until } from './support/run-ledger.js';

jest.setTimeout(600_000);

const OUTAGE_MS = 30_000;

/** Drill: the Kafka broker stopped for 30 s in the middle of a run (distributed mode), then started again. */
describe('drill: broker stopped for 30 s during a run', () => {
  let platform: DrillPlatform;
  let ledger: RunLedger;
  const broker = drillBroker();

  beforeAll(async () => {
    platform = await DrillPlatform.start({
      brokers: broker.brokers,
      databaseUrl: drillDatabaseUrl(),
      judgeDelayMs: 300,
    });
    ledger = new RunLedger(platform, drillDatabaseUrl(), broker.brokers);
    await platform.routeGateFailuresToSlack();
  });

  afterAll(async () => {
    await ledger?.close();
    await platform?.stop();
  });

  it('completes the run with every case, event and notification exactly once', async () => {
    const started = Date.now();
    const response = await ledger.submit();
    expect(response.status).toBe(202);
    const { runId } = (await response.json()) as { runId: string };
    await until('the first scored cases', async () => (await ledger.scoredCases(runId)) >= 5, 120_000);

    execFileSync('bash', ['infra/kafka/kafka.sh', 'stop'], { env: broker.env, stdio: 'ignore' });
    const scoredAtStop = await ledger.scoredCases(runId);
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    execFileSync('bash', ['infra/kafka/kafka.sh', 'start'], { env: broker.env, stdio: 'ignore' });

    const counts = await ledger.count(runId);
    report('broker stopped 30 s', { ...counts, scoredAtStop, durationMs: Date.now() - started });
    expect(scoredAtStop).toBeLessThan(CASES); // the outage fell in the middle of the run
    expect(counts).toEqual(expect.objectContaining(exactlyOnce(counts)));
  });
});
