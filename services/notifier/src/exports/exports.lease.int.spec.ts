import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { busMetrics, createKafka, KafkaEventClient, type CommandContext } from '@evalvault/platform';
import {
  startServiceProcess,
  stopRunsProcess,
  testDatabaseUrl,
  testKafkaSettings,
  type RunsProcess,
} from '@evalvault/platform/testing';
import { Registry } from 'prom-client';
import type { NotificationView } from '@evalvault/service-apis';
import { appendCompletedRun } from '../testing/completed-run.js';
import { FakeMlflow } from '../testing/index.js';
import { migrateNotifierSchema } from '../testing/in-process-notifier.js';
import { notifierOnDatabase, type NotifierOnDatabase } from '../testing/route-setup.js';

jest.setTimeout(120_000);

const LEASE_MS = 3_000;
const REQUEST_MS = 900; // under the 1 s HTTP timeout, so no single request fails

/**
 * Two notifier processes polling the same delivery queue, and an export whose requests are each slow
 * enough that the whole attempt outlasts its lease: the worker that claimed it renews the lease while it
 * works, so the other never starts the same export (before, it took the notification over once the lease
 * ran out and sent the run's metrics and artifact to MLflow a second time).
 */
describe('an export longer than its delivery lease', () => {
  const scope = { tenantId: `tenant-${randomUUID()}`, projectId: 'checkout' };
  const experiment = `evalvault-lease-${randomUUID()}`;
  let mlflow: FakeMlflow;
  let local: NotifierOnDatabase;
  let publisher: KafkaEventClient;
  const processes: RunsProcess[] = [];
  const env = {
    EVALVAULT_EGRESS_ALLOW: '127.0.0.1',
    NOTIFIER_GROUP_PREFIX: `export-lease-${randomUUID().slice(0, 8)}`,
    NOTIFIER_RELAY_NAME: `export-lease-${randomUUID()}`,
    NOTIFIER_RELAY_START: 'latest',
    NOTIFIER_CONSUMER_START: 'latest',
    NOTIFIER_HTTP_TIMEOUT_MS: '1000',
    NOTIFIER_LEASE_MS: String(LEASE_MS),
    NOTIFIER_POLL_MS: '100',
  };
  const admin: CommandContext = {
    ...scope,
    actor: { subject: 'admin', authMethod: 'api_key', apiKeyId: null },
    correlationId: randomUUID(),
    causationId: null,
  };

  beforeAll(async () => {
    await migrateNotifierSchema(testDatabaseUrl());
    mlflow = await FakeMlflow.start();
    local = await notifierOnDatabase(testDatabaseUrl(), {}, ['127.0.0.1']);
    publisher = new KafkaEventClient(createKafka(testKafkaSettings('export-lease-test')), busMetrics(new Registry()));
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => stopRunsProcess(p)));
    await publisher?.close();
    await local?.close();
    await mlflow?.close();
  });

  async function exportWhen(done: (items: NotificationView[]) => boolean): Promise<NotificationView[]> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { items } = await local.notifier.queries.listNotifications(scope.tenantId, scope.projectId, {});
      if (done(items)) return items;
      if (Date.now() > deadline)
        throw new Error(
          `export not delivered: ${JSON.stringify(items)}\n${processes.map((p) => p.output()).join('\n')}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('is carried out once by the worker that claimed it, which renews its lease meanwhile', async () => {
    await local.notifier.routes.createExport(
      {
        name: 'mlflow',
        on: ['RunCompleted'],
        destination: { type: 'mlflow', trackingUrl: mlflow.url, experimentName: experiment },
      },
      admin,
    );
    processes.push(
      ...(await Promise.all([startServiceProcess('notifier', env), startServiceProcess('notifier', env)])),
    );
    mlflow.next({ kind: 'slow', delayMs: REQUEST_MS }, 1_000);
    const run = await appendCompletedRun(local.store, scope);
    const sent = Date.now();
    await publisher.publishBatch([run.completed]);

    const [delivered] = await exportWhen((items) => items.length === 1 && items[0]!.status === 'delivered');
    const took = Date.now() - sent;
    const paths = mlflow.received.map((r) => `${r.method} ${r.path}`);
    process.stdout.write(
      `export lease: ${paths.length} requests in ${took} ms, lease ${LEASE_MS} ms: ${paths.join(', ')}\n`,
    );
    // The premise: the one attempt outlasted its lease, more than once over.
    expect(paths.length * REQUEST_MS).toBeGreaterThan(LEASE_MS * 1.3);
    expect(delivered!.attempts).toBe(1);
    expect(mlflow.runs.size).toBe(1);
    // Each request once: a second worker's attempt finds the run by its tag (no second run) but logs its
    // metrics and uploads its artifact again.
    expect(paths.filter((path, i) => paths.indexOf(path) !== i)).toEqual([]);
    expect(paths.filter((p) => p.endsWith('runs/create'))).toHaveLength(1);
  });
});
