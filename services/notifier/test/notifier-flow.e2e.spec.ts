import { randomBytes } from 'node:crypto';
import { jest } from '@jest/globals';
import type { Producer } from 'kafkajs';
import { EventCodec, topicOf, type EvalVaultEvent } from '@evalvault/contracts';
import { createKafka, eventHeaders, PostgresEventStore } from '@evalvault/platform';
import {
  migrateTestDatabase,
  startServiceProcess,
  stopRunsProcess,
  testDatabaseUrl,
  testKafkaSettings,
  type RunsProcess,
} from '@evalvault/platform/testing';
import type { NotificationView } from '@evalvault/service-apis';
import pg from 'pg';
import { FakeJira, FakePagerDuty, FakeSlack, FakeTeams } from '../src/testing/index.js';
import { migrateNotifierSchema } from '../src/testing/in-process-notifier.js';
import { scopedEnvName, type SecretKind } from '../src/routes/secret-scope.js';

// Three services start, join consumer groups, score runs and deliver: minutes at worst on two cores.
jest.setTimeout(240_000);

/**
 * The whole path on the real broker, as processes: an admin routes gate failures through the
 * gateway; a run submitted there fails its gate in the runs service; the notifier opens one
 * Jira issue, one PagerDuty incident, one Teams and one Slack message at the local vendor
 * servers — still one each after the notifier restarts and the broker redelivers the
 * failure — and resolves the incident when a run of the same gate passes.
 */
describe('failing gate → notifications, end to end', () => {
  const processes: Record<string, RunsProcess> = {};
  const adminKey = `evk_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`;
  const tag = randomBytes(4).toString('hex');
  // Secret names of this run only: routes of earlier runs in the shared project must not reach this run's vendors.
  // Scoped to the bootstrap key's tenant and project (default/default) and to the destination kind, as
  // the notifier wants.
  const ref = (kind: SecretKind, name: string): string =>
    scopedEnvName({ tenantId: 'default', projectId: 'default' }, kind, `${name}_${tag}`);
  const vendorSecrets: Record<string, string> = {
    [ref('jira', 'EMAIL')]: 'bot@acme.example',
    [ref('jira', 'TOKEN')]: `jira-${randomBytes(12).toString('hex')}`,
    [ref('pagerduty', 'KEY')]: randomBytes(16).toString('hex'),
  };
  const shared = {
    E2E_INTERNAL_SECRET: randomBytes(32).toString('base64url'),
    EVALVAULT_INTERNAL_SECRET_REF: 'env:E2E_INTERNAL_SECRET',
    EVALVAULT_PUBLIC_URL: 'https://evalvault.example.com',
  };
  let notifierEnv: Record<string, string>;
  let jira: FakeJira;
  let pagerDuty: FakePagerDuty;
  let teams: FakeTeams;
  let slack: FakeSlack;
  let gateway: string;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let producer: Producer;
  /** This test's routes: project default is shared with other runs of the suite, whose routes may linger. */
  const routeIds = new Set<string>();

  beforeAll(async () => {
    migrateTestDatabase();
    await migrateNotifierSchema(testDatabaseUrl());
    [jira, pagerDuty, teams, slack] = await Promise.all([
      FakeJira.start({ email: vendorSecrets[ref('jira', 'EMAIL')]!, token: vendorSecrets[ref('jira', 'TOKEN')]! }),
      FakePagerDuty.start(vendorSecrets[ref('pagerduty', 'KEY')]!),
      FakeTeams.start(`/webhookb2/${tag}`),
      FakeSlack.start(`/services/T/B/${tag}`),
    ]);
    processes['runs'] = await startServiceProcess('runs', {
      ...shared,
      RUNS_CONSUMER_START: 'latest',
      RUNS_RELAY_NAME: `e2e-${tag}`,
      RUNS_RELAY_START: 'latest',
      RUNS_GROUP_PREFIX: `e2e-${tag}`,
      RUNS_BATCH_SIZE: '2',
    });
    notifierEnv = {
      ...shared,
      ...vendorSecrets,
      [ref('teams', 'URL')]: teams.webhookUrl,
      [ref('slack', 'URL')]: slack.webhookUrl,
      EVALVAULT_EGRESS_ALLOW: '127.0.0.1',
      // Groups and relay checkpoint of its own: with the runs service's names, the two read models shared one group.
      NOTIFIER_GROUP_PREFIX: `e2e-notifier-${tag}`,
      NOTIFIER_RELAY_NAME: `e2e-notifier-${tag}`,
      NOTIFIER_RELAY_START: 'latest',
      NOTIFIER_CONSUMER_START: 'latest',
      NOTIFIER_POLL_MS: '100',
      NOTIFIER_BACKOFF_INITIAL_MS: '200',
    };
    processes['notifier'] = await startServiceProcess('notifier', notifierEnv);
    // Every submission asks the registry for the project's policy and the versions the run pins.
    processes['registry'] = await startServiceProcess('registry', {
      ...shared,
      REGISTRY_CONSUMER_START: 'latest',
      REGISTRY_RELAY_START: 'latest',
      REGISTRY_RELAY_NAME: `e2e-registry-${tag}`,
      REGISTRY_GROUP_PREFIX: `e2e-registry-${tag}`,
    });
    processes['gateway'] = await startServiceProcess('gateway', {
      ...shared,
      E2E_PEPPER: randomBytes(32).toString('base64url'),
      EVALVAULT_API_KEY_PEPPER_REF: 'env:E2E_PEPPER',
      EVALVAULT_BOOTSTRAP_ADMIN_KEY: adminKey,
      RUNS_SERVICE_URL: processes['runs'].url,
      REGISTRY_SERVICE_URL: processes['registry'].url,
      NOTIFIER_SERVICE_URL: processes['notifier'].url,
      GATEWAY_RELAY_NAME: `e2e-${tag}`,
      GATEWAY_RELAY_START: 'latest',
    });
    gateway = processes['gateway'].url;
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 2 });
    store = new PostgresEventStore(pool, new EventCodec());
    producer = createKafka(testKafkaSettings('notifier-e2e')).producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  });

  afterAll(async () => {
    for (const routeId of routeIds)
      await call(`/notification-routes/${routeId}`, { method: 'DELETE' }).catch(() => undefined);
    await Promise.all(Object.values(processes).map((p) => stopRunsProcess(p)));
    await producer?.disconnect();
    await store?.close();
    await pool?.end();
    await Promise.all([jira, pagerDuty, teams, slack].map((fake) => fake?.close()));
  });

  const call = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${adminKey}`);
    if (init.body) headers.set('content-type', 'application/json');
    return fetch(`${gateway}/v1/projects/default${path}`, { ...init, headers });
  };
  const dataset = `notify-e2e-${tag}`;
  const run = (answer: (truth: string) => string): unknown => ({
    dataset: {
      name: dataset,
      cases: ['Paris', 'Rome', 'Madrid'].map((city, index) => ({
        id: `c${index}`,
        question: `Capital ${index}?`,
        answer: answer(city),
        contexts: [city],
        ground_truth: city,
      })),
    },
    metrics: ['exact_match'],
    gate: { rules: ['mean(exact_match) >= 0.9'] },
  });

  async function submit(body: unknown): Promise<string> {
    const response = await call('/runs', { method: 'POST', body: JSON.stringify(body) });
    expect(response.status).toBe(202);
    return ((await response.json()) as { runId: string }).runId;
  }

  async function notificationsOf(runId: string, count: number): Promise<NotificationView[]> {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const response = await call(`/notifications?runId=${runId}`);
      expect(response.status).toBe(200);
      const items = ((await response.json()) as { items: NotificationView[] }).items.filter((item) =>
        routeIds.has(item.routeId),
      );
      if (items.length >= count && items.every((item) => item.status === 'delivered')) return items;
      if (Date.now() > deadline)
        throw new Error(
          `run ${runId}: ${JSON.stringify(items)}\n${Object.values(processes)
            .map((p) => p.output().slice(-3000))
            .join('\n---\n')}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /**
   * Publishes an event again, as the broker redelivers, and waits until the notifier's dispatch group has
   * consumed past it.
   */
  async function redeliver(event: EvalVaultEvent): Promise<void> {
    const topic = topicOf(event.type);
    const [sent] = await producer.send({
      topic,
      acks: -1,
      messages: [{ key: event.streamId, value: new EventCodec().encode(event), headers: eventHeaders(event) }],
    });
    const admin = createKafka(testKafkaSettings('notifier-e2e-admin')).admin();
    await admin.connect();
    try {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const [offsets] = await admin.fetchOffsets({ groupId: `e2e-notifier-${tag}-dispatch`, topics: [topic] });
        const committed = offsets!.partitions.find((p) => p.partition === sent!.partition)?.offset ?? '-1';
        if (BigInt(committed) > BigInt(sent!.baseOffset!)) return;
        if (Date.now() > deadline) throw new Error(`the notifier did not consume the redelivered ${event.type}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    } finally {
      await admin.disconnect();
    }
  }

  const mentions =
    (runId: string) =>
    (value: unknown): boolean =>
      JSON.stringify(value).includes(runId);

  it('one issue, incident, Teams and Slack message per failing gate; both resolve on a pass', async () => {
    const routes = [
      {
        name: 'ops-jira',
        on: ['GateFailed'],
        severity: 'critical',
        destination: {
          type: 'jira',
          baseUrl: jira.url,
          projectKey: 'OPS',
          issueType: 'Bug',
          emailRef: `env:${ref('jira', 'EMAIL')}`,
          tokenRef: `env:${ref('jira', 'TOKEN')}`,
        },
      },
      {
        name: 'on-call',
        on: ['GateFailed'],
        destination: {
          type: 'pagerduty',
          routingKeyRef: `env:${ref('pagerduty', 'KEY')}`,
          eventsUrl: `${pagerDuty.url}/v2/enqueue`,
        },
      },
      {
        name: 'teams',
        on: ['GateFailed'],
        destination: { type: 'teams', webhookUrlRef: `env:${ref('teams', 'URL')}` },
      },
      {
        name: 'slack',
        on: ['GateFailed'],
        destination: { type: 'slack', webhookUrlRef: `env:${ref('slack', 'URL')}` },
      },
    ].map((route) => ({ ...route, name: `${route.name}-${tag}` }));
    for (const route of routes) {
      const response = await call('/notification-routes', { method: 'POST', body: JSON.stringify(route) });
      expect(response.status).toBe(201);
      routeIds.add(((await response.json()) as { routeId: string }).routeId);
    }
    const refused = await call('/notification-routes', {
      method: 'POST',
      body: JSON.stringify({
        ...routes[3],
        name: `x-${tag}`,
        destination: {
          type: 'jira',
          baseUrl: 'https://jira.evil.example.com',
          projectKey: 'OPS',
          issueType: 'Bug',
          tokenRef: `env:${ref('jira', 'TOKEN')}`,
        },
      }),
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { detail: string }).detail).toContain('not on the egress allow-list');
    const otherTenants = `env:${scopedEnvName({ tenantId: 'other', projectId: 'default' }, 'slack', `URL_${tag}`)}`;
    const elsewhere = await call('/notification-routes', {
      method: 'POST',
      body: JSON.stringify({
        ...routes[3],
        name: `y-${tag}`,
        destination: { type: 'slack', webhookUrlRef: otherTenants },
      }),
    });
    expect(elsewhere.status).toBe(400);
    expect(((await elsewhere.json()) as { detail: string }).detail).toContain(
      'destination.webhookUrlRef must name a slack secret of this tenant and project',
    );
    const listed = (await (await call('/notification-routes')).json()) as { items: { name: string }[] };
    expect(listed.items.map((route) => route.name)).toEqual(expect.arrayContaining(routes.map((route) => route.name)));

    const failingRun = await submit(run((truth) => (truth === 'Paris' ? truth : 'Berlin')));
    const delivered = await notificationsOf(failingRun, 4);
    expect(delivered.map((n) => n.destinationType).sort()).toEqual(['jira', 'pagerduty', 'slack', 'teams']);

    // The notifier restarts, then the broker redelivers the failure: nothing new reaches a vendor.
    const port = new URL(processes['notifier']!.url).port; // the gateway knows it there
    await stopRunsProcess(processes['notifier']!);
    processes['notifier'] = await startServiceProcess('notifier', { ...notifierEnv, PORT: port });
    const gateFailed = (await store.readStream(`run-${failingRun}`))
      .map((r) => r.event)
      .find((e) => e.type === 'GateFailed')!;
    await redeliver(gateFailed);

    const passingRun = await submit(run((truth) => truth));
    const resolved = await notificationsOf(passingRun, 2);
    expect(resolved.map((n) => [n.destinationType, n.action, n.triggerType]).sort()).toEqual([
      ['jira', 'resolve', 'GatePassed'],
      ['pagerduty', 'resolve', 'GatePassed'],
    ]);

    expect(jira.issues.filter(mentions(failingRun))).toHaveLength(1);
    // The pass closed the failure's issue (done), saying so in one comment.
    expect(jira.issues.find(mentions(failingRun))!.status.category).toBe('done');
    expect(jira.issues.find(mentions(failingRun))!.comments.filter(mentions(passingRun))).toHaveLength(1);
    const triggers = pagerDuty.events('trigger').filter(mentions(failingRun));
    expect(triggers).toHaveLength(1);
    expect(
      pagerDuty.events('resolve').filter((event) => event['dedup_key'] === triggers[0]!['dedup_key']),
    ).toHaveLength(1);
    expect(pagerDuty.incidents.get(String(triggers[0]!['dedup_key']))).toBe('resolved');
    expect(teams.cards().filter(mentions(failingRun))).toHaveLength(1);
    expect(slack.messages().filter(mentions(failingRun))).toHaveLength(1);
    expect(JSON.stringify(jira.issues.find(mentions(failingRun))!.fields)).toContain(
      'mean(exact_match) >= 0.9: actual 0.3333, threshold 0.9',
    );
    expect(JSON.stringify(jira.issues.find(mentions(failingRun))!.fields)).toContain(
      `https://evalvault.example.com/runs/${failingRun}`,
    );
    for (const fake of [jira, pagerDuty, teams, slack]) expect(fake.received.flatMap((r) => r.problems)).toEqual([]);
    for (const process of Object.values(processes))
      expect(process.output()).not.toContain(vendorSecrets[ref('jira', 'TOKEN')]);
  });
});
