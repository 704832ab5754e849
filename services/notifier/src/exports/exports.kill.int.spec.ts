import { randomBytes, randomUUID } from 'node:crypto';
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
import { scopedEnvName } from '../routes/secret-scope.js';
import { appendCompletedRun } from '../testing/completed-run.js';
import { expectLangfuseExport, expectMlflowExport, expectOtlpExport } from '../testing/export-expectations.js';
import { FakeLangfuse, FakeMlflow, FakeOtlp } from '../testing/index.js';
import { migrateNotifierSchema } from '../testing/in-process-notifier.js';
import { notifierOnDatabase, type NotifierOnDatabase } from '../testing/route-setup.js';

// A restarted process rejoins its consumer group and waits out the killed one's lease.
jest.setTimeout(120_000);

/**
 * The notifier as its own process (the build), killed while each tracker holds the answer to a request it
 * already carried out (Langfuse added the first dataset run item, after the traces, dataset and items; MLflow
 * created the run; the OTLP backend kept the spans); the restarted process must finish every export without a
 * second trace set, dataset, item or run item, MLflow run or span set.
 */
describe('exporter killed mid-delivery', () => {
  const keys = { public: `pk-lf-${randomUUID()}`, secret: `sk-lf-${randomBytes(12).toString('hex')}` };
  const scope = { tenantId: `tenant-${randomUUID()}`, projectId: 'checkout' };
  const publicName = scopedEnvName(scope, 'langfuse', 'PUBLIC_KEY');
  const secretName = scopedEnvName(scope, 'langfuse', 'SECRET_KEY');
  const experiment = `evalvault-kill-${randomUUID()}`;
  let langfuse: FakeLangfuse;
  let mlflow: FakeMlflow;
  let otlp: FakeOtlp;
  let local: NotifierOnDatabase;
  let publisher: KafkaEventClient;
  const processes: RunsProcess[] = [];
  const env = {
    [publicName]: keys.public,
    [secretName]: keys.secret,
    EVALVAULT_EGRESS_ALLOW: '127.0.0.1',
    NOTIFIER_GROUP_PREFIX: `export-kill-${randomUUID().slice(0, 8)}`,
    NOTIFIER_RELAY_NAME: `export-kill-${randomUUID()}`,
    NOTIFIER_RELAY_START: 'latest',
    NOTIFIER_CONSUMER_START: 'latest',
    NOTIFIER_HTTP_TIMEOUT_MS: '1000',
    NOTIFIER_LEASE_MS: '3000',
    NOTIFIER_POLL_MS: '100',
    NOTIFIER_BACKOFF_INITIAL_MS: '100',
  };
  const admin: CommandContext = {
    ...scope,
    actor: { subject: 'admin', authMethod: 'api_key', apiKeyId: null },
    correlationId: randomUUID(),
    causationId: null,
  };

  beforeAll(async () => {
    await migrateNotifierSchema(testDatabaseUrl());
    [langfuse, mlflow, otlp] = await Promise.all([
      FakeLangfuse.start(keys.public, keys.secret),
      FakeMlflow.start(),
      FakeOtlp.start(),
    ]);
    local = await notifierOnDatabase(testDatabaseUrl(), { [publicName]: keys.public, [secretName]: keys.secret }, [
      '127.0.0.1',
    ]);
    publisher = new KafkaEventClient(createKafka(testKafkaSettings('export-kill-test')), busMetrics(new Registry()));
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => stopRunsProcess(p)));
    await publisher?.close();
    await local?.close();
    await Promise.all([langfuse, mlflow, otlp].map((fake) => fake?.close()));
  });

  async function exportsWhen(done: (items: NotificationView[]) => boolean): Promise<NotificationView[]> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { items } = await local.notifier.queries.listNotifications(scope.tenantId, scope.projectId, {});
      if (done(items)) return items;
      if (Date.now() > deadline)
        throw new Error(
          `exports not as expected: ${JSON.stringify(items)}\n` +
            processes.map((p) => p.output().slice(-3000)).join('\n---\n'),
        );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('exports the run exactly once to each tracker when killed between the requests and their records', async () => {
    const create = local.notifier.routes;
    await create.createExport(
      {
        name: 'langfuse',
        on: ['RunCompleted'],
        destination: {
          type: 'langfuse',
          baseUrl: langfuse.url,
          publicKeyRef: `env:${publicName}`,
          secretKeyRef: `env:${secretName}`,
        },
      },
      admin,
    );
    await create.createExport(
      {
        name: 'mlflow',
        on: ['RunCompleted'],
        destination: { type: 'mlflow', trackingUrl: mlflow.url, experimentName: experiment },
      },
      admin,
    );
    await create.createExport(
      { name: 'phoenix', on: ['RunCompleted'], destination: { type: 'otlp', endpoint: `${otlp.url}/v1/traces` } },
      admin,
    );
    const first = await startServiceProcess('notifier', env);
    processes.push(first);
    langfuse.next({ kind: 'hold' }, 1, /dataset-run-items$/, 'POST');
    mlflow.next({ kind: 'hold' }, 1, /runs\/create$/);
    otlp.next({ kind: 'hold' }, 1, /v1\/traces/);
    const run = await appendCompletedRun(local.store, scope);
    await publisher.publishBatch([run.completed]);

    await Promise.all([langfuse.whenHolding(), mlflow.whenHolding(), otlp.whenHolding()]);
    await stopRunsProcess(first, 'SIGKILL');
    const pending = await exportsWhen((items) => items.length === 3);
    expect(pending.map((n) => n.status)).toEqual(['pending', 'pending', 'pending']);
    expect(mlflow.runs.size).toBe(1); // created, its answer never read
    expect(langfuse.datasetApi.runItems).toHaveLength(1); // likewise

    const second = await startServiceProcess('notifier', env);
    processes.push(second);
    const delivered = await exportsWhen((items) => items.length === 3 && items.every((n) => n.status === 'delivered'));
    // Attempts are not counted: on a loaded machine a 1 s timeout may add one; what matters is what arrived.
    expect(delivered).toHaveLength(3);
    expectLangfuseExport(langfuse, run);
    // This stand-in saw this run only: one dataset, an item and a run item per case, nothing twice.
    const { datasets, items, runs, runItems } = langfuse.datasetApi;
    expect([datasets.size, items.size, runs.size, runItems.length]).toEqual([1, 3, 1, 3]);
    const postedRunItems = langfuse.received.filter((r) => r.method === 'POST' && r.path.endsWith('dataset-run-items'));
    expect(postedRunItems).toHaveLength(3); // the held one, then the two the restarted process found missing
    expectMlflowExport(mlflow, run, experiment, { artifact: true });
    expectOtlpExport(otlp, run);
    expect(mlflow.received.filter((r) => r.path.endsWith('runs/create'))).toHaveLength(1);
    expect(otlp.duplicates).toBeGreaterThan(0); // sent again after the kill, kept once by span id
    for (const process of [first, second]) expect(process.output()).not.toContain(keys.secret);
  });
});
