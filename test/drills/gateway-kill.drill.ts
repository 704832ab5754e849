import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jest } from '@jest/globals';
import { DrillPlatform } from './support/drill-platform.js';
import { drillBroker, drillDatabaseUrl } from './support/drill-servers.js';
import { exactlyOnce, report, RunLedger, runRequest, until } from './support/run-ledger.js';

jest.setTimeout(600_000);

/**
 * Drill: the gateway killed after the runs service appended RunRequested and before the gateway
 * answered the client. A proxy between the gateway and the runs service holds the runs service's
 * answer to the submission and kills the gateway first. The client retries with the same
 * Idempotency-Key (through 409s while the dead gateway's claim is leased) and must get the run
 * that was requested, not a second one.
 */
describe('drill: gateway killed between RunRequested and its answer', () => {
  let platform: DrillPlatform;
  let ledger: RunLedger;
  let proxy: Server;
  let armed = false;
  const submitted: string[] = []; // run ids the runs service answered to submissions
  const broker = drillBroker();

  beforeAll(async () => {
    proxy = createServer((incoming, outgoing) => {
      const target = new URL(incoming.url ?? '/', platform.processes.get('runs')!.url);
      const upstream = httpRequest(target, { method: incoming.method, headers: incoming.headers }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          const runId = /"runId":"([^"]+)"/.exec(body.toString())?.[1];
          const reply = (): void => {
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers).end(body);
          };
          if (incoming.method === 'POST' && runId && (answer.statusCode ?? 0) < 300) submitted.push(runId);
          if (armed && incoming.method === 'POST' && runId) {
            armed = false;
            void platform.kill('gateway').then(reply, reply);
          } else reply();
        });
      });
      upstream.on('error', () => outgoing.writeHead(502).end());
      incoming.pipe(upstream);
    }).listen(0, '127.0.0.1');
    await new Promise((resolve) => proxy.once('listening', resolve));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    platform = await DrillPlatform.start({
      brokers: broker.brokers,
      databaseUrl: drillDatabaseUrl(),
      env: { gateway: { RUNS_SERVICE_URL: proxyUrl } },
    });
    ledger = new RunLedger(platform, drillDatabaseUrl(), broker.brokers);
    await platform.routeGateFailuresToSlack();
  });

  afterAll(async () => {
    await ledger?.close();
    await platform?.stop();
    proxy?.closeAllConnections();
    proxy?.close();
  });

  it('answers the retry with the one run that was requested', async () => {
    const started = Date.now();
    const key = `drill-${randomUUID()}`;
    const body = runRequest(platform.tag);
    armed = true;
    const first = await ledger.submit(key, body).then(
      (response) => `answered ${response.status}`,
      (error: Error) => `no answer (${error.message})`,
    );
    expect(first).toMatch(/^no answer/);
    expect(submitted).toHaveLength(1);
    await platform.startService('gateway');

    const statuses: number[] = [];
    const retried = await until(
      'the retry to be answered',
      async () => {
        const response = await ledger.submit(key, body);
        statuses.push(response.status);
        return response.status === 202 || response.status === 200 ? response : undefined;
      },
      150_000,
      () => `last statuses: ${statuses.slice(-10).join(',')} of ${statuses.length}\n${platform.output()}`,
    );
    const { runId } = (await retried.json()) as { runId: string };
    expect(runId).toBe(submitted[0]);
    const counts = await ledger.count(runId);
    const requested = (await ledger.storeEvents(runId)).filter((e) => e.type === 'RunRequested').length;
    const runsAnswered = new Set(submitted).size;
    report('gateway killed before answering', {
      ...counts,
      retryStatuses: [...new Set(statuses)].join('/'),
      runRequested: requested,
      distinctRunsSubmitted: runsAnswered,
      durationMs: Date.now() - started,
    });
    expect(requested).toBe(1);
    expect(runsAnswered).toBe(1);
    expect(counts).toEqual(expect.objectContaining(exactlyOnce(counts)));
  });
});
