import { randomBytes, randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import type { EvalVaultEvent } from '@evalvault/contracts';
import { testEvent } from '@evalvault/contracts/testing';
import { busMetrics, createKafka, KafkaEventClient } from '@evalvault/platform';
import {
  startServiceProcess,
  stopRunsProcess,
  testDatabaseUrl,
  testKafkaSettings,
  type RunsProcess,
} from '@evalvault/platform/testing';
import { Registry } from 'prom-client';
import type { NotificationView } from '@evalvault/service-apis';
import { notificationStreamId } from './notification/notification.ids.js';
import { scopedEnvName } from './routes/secret-scope.js';
import { FakeJira } from './testing/index.js';
import { migrateNotifierSchema } from './testing/in-process-notifier.js';
import { notifierOnDatabase, type NotifierOnDatabase } from './testing/route-setup.js';

// A restarted process rejoins its consumer group and waits out the killed one's lease.
jest.setTimeout(120_000);

/**
 * The notifier as its own process (the build), killed while Jira holds the answer to the
 * create-issue request it already carried out; the restarted process must find that issue
 * by its label and record it, not create a second one.
 */
describe('notifier killed mid-delivery', () => {
  const token = `jira-${randomBytes(12).toString('hex')}`;
  const tenantId = `tenant-${randomUUID()}`;
  const tokenName = scopedEnvName({ tenantId, projectId: 'checkout' }, 'jira', 'TOKEN');
  let jira: FakeJira;
  let local: NotifierOnDatabase;
  let publisher: KafkaEventClient;
  const processes: RunsProcess[] = [];
  const env = {
    [tokenName]: token,
    EVALVAULT_EGRESS_ALLOW: '127.0.0.1',
    NOTIFIER_GROUP_PREFIX: `kill-${randomUUID().slice(0, 8)}`,
    NOTIFIER_RELAY_NAME: `kill-${randomUUID()}`,
    NOTIFIER_RELAY_START: 'latest',
    NOTIFIER_CONSUMER_START: 'latest',
    NOTIFIER_HTTP_TIMEOUT_MS: '1000',
    NOTIFIER_LEASE_MS: '3000',
    NOTIFIER_POLL_MS: '100',
    NOTIFIER_BACKOFF_INITIAL_MS: '100',
  };

  beforeAll(async () => {
    await migrateNotifierSchema(testDatabaseUrl());
    jira = await FakeJira.start({ email: null, token });
    local = await notifierOnDatabase(testDatabaseUrl(), { [tokenName]: token }, ['127.0.0.1']);
    publisher = new KafkaEventClient(createKafka(testKafkaSettings('notifier-kill-test')), busMetrics(new Registry()));
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => stopRunsProcess(p)));
    await publisher?.close();
    await local?.close();
    await jira?.close();
  });

  async function onlyNotification(tenantId: string, status: NotificationView['status']): Promise<NotificationView> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { items } = await local.notifier.queries.listNotifications(tenantId, 'checkout', {});
      if (items.length === 1 && items[0]!.status === status) return items[0]!;
      if (Date.now() > deadline)
        throw new Error(
          `no ${status} notification: ${JSON.stringify(items)}\n` +
            processes.map((p) => p.output().slice(-3000)).join('\n---\n'),
        );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('creates exactly one Jira issue when killed between the request and its record', async () => {
    await local.notifier.routes.create(
      {
        name: 'ops',
        on: ['GateFailed'],
        destination: {
          type: 'jira',
          baseUrl: jira.url,
          projectKey: 'OPS',
          issueType: 'Bug',
          tokenRef: `env:${tokenName}`,
        },
      },
      {
        tenantId,
        projectId: 'checkout',
        actor: { subject: 'admin', authMethod: 'api_key', apiKeyId: null },
        correlationId: randomUUID(),
        causationId: null,
      },
    );
    const first = await startServiceProcess('notifier', env);
    processes.push(first);
    jira.next({ kind: 'hold' }, 1, /\/rest\/api\/3\/issue$/);
    const runId = randomUUID();
    const gateFailed = testEvent(
      'GateFailed',
      {
        gateId: randomBytes(32).toString('hex'),
        baselineRunId: null,
        baselineSource: null,
        subject: {
          runId,
          configHash: 'c'.repeat(64),
          dataset: { id: 'ds', name: 'rag-qa', version: 1, contentHash: 'a'.repeat(64) },
          prompt: null,
          modelProfile: null,
        },
        rules: [
          {
            rule: 'mean(token_f1) >= 0.9',
            metric: 'token_f1',
            aggregate: 'mean',
            comparator: '>=',
            threshold: 0.9,
            actual: 0.3,
            passed: false,
            baselineValue: null,
            noBaseline: false,
          },
        ],
      },
      { tenantId, projectId: 'checkout', streamId: `run-${runId}` },
    );
    await publisher.publishBatch([{ ...gateFailed, occurredAt: Date.now() } as EvalVaultEvent]);

    await jira.whenHolding(); // Jira created the issue; its answer has not left
    await stopRunsProcess(first, 'SIGKILL');
    expect(jira.issues).toHaveLength(1);
    const pending = await onlyNotification(tenantId, 'pending');
    expect(
      (await local.store.readStream(notificationStreamId(pending.notificationId))).map((r) => r.event.type),
    ).toEqual(['NotificationIntended']);

    const second = await startServiceProcess('notifier', env);
    processes.push(second);
    const delivered = await onlyNotification(tenantId, 'delivered');
    expect(jira.issues).toHaveLength(1);
    expect(delivered).toMatchObject({ remoteId: jira.issues[0]!.key, attempts: 1 });
    const events = (await local.store.readStream(notificationStreamId(delivered.notificationId))).map((r) => r.event);
    expect(events.map((e) => e.type)).toEqual(['NotificationIntended', 'TicketCreated', 'NotificationDelivered']);
    expect(jira.received.filter((r) => r.path.endsWith('/issue'))).toHaveLength(1);
    expect(jira.received.filter((r) => r.path.endsWith('/search/jql')).length).toBeGreaterThanOrEqual(2);
    for (const process of [first, second]) expect(process.output()).not.toContain(token);
  });
});
