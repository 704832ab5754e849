import { randomBytes, randomUUID } from 'node:crypto';
import type { EvalVaultEvent, EventOfType, GateRuleResult, RunSubject } from '@evalvault/contracts';
import { testEvent } from '@evalvault/contracts/testing';
import { START, type CommandContext } from '@evalvault/platform';
import { registryValue, testDatabaseUrl, testKafkaSettings } from '@evalvault/platform/testing';
import type { CreateRouteRequest, NotificationView } from '@evalvault/service-apis';
import { jiraEpisodeLabel, notificationStreamId, routeIdFor, routeStreamId } from './notification/notification.ids.js';
import { routeRepository } from './notification/notification.repository.js';
import { scopedEnvName, type SecretKind, type SecretScope } from './routes/secret-scope.js';
import { FakeJira, FakePagerDuty, FakeSlack, FakeTeams } from './testing/index.js';
import { publish, startInProcessNotifier, type InProcessNotifier } from './testing/in-process-notifier.js';
import { readDeadLetters } from './testing/dead-letter-reader.js';

/**
 * The notifier on the real PostgreSQL and Kafka, delivering to local servers that check
 * every request against the vendors' documented formats.
 */
describe('notifier delivery', () => {
  const values = {
    jiraEmail: 'bot@acme.example',
    jiraToken: `jira-${randomBytes(12).toString('hex')}`,
    pagerDutyKey: randomBytes(16).toString('hex'),
    teamsUrl: '',
    slackUrl: '',
  };
  /** The notifier's environment: each test's tenant puts the values under names scoped to it. */
  const secrets: Record<string, string> = {};
  let jira: FakeJira;
  let pagerDuty: FakePagerDuty;
  let teams: FakeTeams;
  let slack: FakeSlack;
  let service: InProcessNotifier;

  beforeAll(async () => {
    jira = await FakeJira.start({ email: values.jiraEmail, token: values.jiraToken });
    pagerDuty = await FakePagerDuty.start(values.pagerDutyKey);
    teams = await FakeTeams.start(`/webhookb2/${randomBytes(8).toString('hex')}`);
    slack = await FakeSlack.start(`/services/T1/B1/${randomBytes(8).toString('hex')}`);
    values.teamsUrl = teams.webhookUrl;
    values.slackUrl = slack.webhookUrl;
    service = await startInProcessNotifier({
      databaseUrl: testDatabaseUrl(),
      kafka: testKafkaSettings('notifier-int'),
      secrets,
      egressAllow: ['127.0.0.1'],
    });
  });

  afterAll(async () => {
    await service?.close();
    await Promise.all([jira, pagerDuty, teams, slack].map((fake) => fake?.close()));
  });

  const tenant = (): { tenantId: string; projectId: string } => ({
    tenantId: `tenant-${randomUUID()}`,
    projectId: 'checkout',
  });
  const admin = (scope: { tenantId: string; projectId: string }): CommandContext => ({
    ...scope,
    actor: { subject: 'admin@acme.example', authMethod: 'api_key', apiKeyId: 'k1' },
    correlationId: randomUUID(),
    causationId: null,
  });
  const secretOf = (scope: SecretScope, kind: SecretKind, name: string, value: string): string => {
    const envName = scopedEnvName(scope, kind, name);
    secrets[envName] = value;
    return `env:${envName}`;
  };
  const routes = {
    jira: (scope: SecretScope): CreateRouteRequest => ({
      name: 'ops-jira',
      on: ['GateFailed'],
      severity: 'critical',
      destination: {
        type: 'jira',
        baseUrl: jira.url,
        projectKey: 'OPS',
        issueType: 'Bug',
        emailRef: secretOf(scope, 'jira', 'EMAIL', values.jiraEmail),
        tokenRef: secretOf(scope, 'jira', 'TOKEN', values.jiraToken),
      },
    }),
    pagerduty: (scope: SecretScope): CreateRouteRequest => ({
      name: 'on-call',
      on: ['GateFailed'],
      destination: {
        type: 'pagerduty',
        routingKeyRef: secretOf(scope, 'pagerduty', 'KEY', values.pagerDutyKey),
        eventsUrl: `${pagerDuty.url}/v2/enqueue`,
      },
    }),
    teams: (scope: SecretScope): CreateRouteRequest => ({
      name: 'teams-channel',
      on: ['GateFailed'],
      destination: { type: 'teams', webhookUrlRef: secretOf(scope, 'teams', 'URL', values.teamsUrl) },
    }),
    slack: (scope: SecretScope): CreateRouteRequest => ({
      name: 'slack-channel',
      on: ['GateFailed', 'GatePassed'],
      destination: { type: 'slack', webhookUrlRef: secretOf(scope, 'slack', 'URL', values.slackUrl) },
    }),
  };
  async function addRoutes(scope: SecretScope, ...names: (keyof typeof routes)[]): Promise<void> {
    for (const name of names) await service.notifier.routes.create(routes[name](scope), admin(scope));
  }

  const subject = (runId: string): RunSubject => ({
    runId,
    configHash: 'c'.repeat(64),
    dataset: { id: 'ds-rag', name: 'rag-qa', version: 3, contentHash: 'a'.repeat(64) },
    prompt: { id: 'pr-1', name: 'answer', version: 7, contentHash: 'b'.repeat(64) },
    modelProfile: null,
  });
  const rule = (passed: boolean): GateRuleResult => ({
    rule: 'mean(faithfulness) >= 0.8',
    metric: 'faithfulness',
    aggregate: 'mean',
    comparator: '>=',
    threshold: 0.8,
    actual: passed ? 0.9 : 0.5,
    passed,
    baselineValue: null,
    noBaseline: false,
  });
  function verdict(
    type: 'GateFailed' | 'GatePassed',
    scope: { tenantId: string; projectId: string },
    gateId: string,
  ): EventOfType<'GateFailed'> | EventOfType<'GatePassed'> {
    const runId = randomUUID();
    const event = testEvent(
      type,
      {
        gateId,
        subject: subject(runId),
        rules: [rule(type === 'GatePassed')],
        baselineRunId: null,
        baselineSource: null,
      },
      { ...scope, streamId: `run-${runId}` },
    );
    return { ...event, occurredAt: Date.now() };
  }

  async function waitFor(done: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the delivery metrics');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function settled(scope: { tenantId: string; projectId: string }, count: number): Promise<NotificationView[]> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { items } = await service.notifier.queries.listNotifications(scope.tenantId, scope.projectId, {});
      if (items.length >= count && items.every((item) => item.status !== 'pending')) return items;
      if (Date.now() > deadline) throw new Error(`notifications did not settle: ${JSON.stringify(items)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function streamOf(notificationId: string): Promise<EvalVaultEvent[]> {
    return (await service.store.readStream(notificationStreamId(notificationId))).map((recorded) => recorded.event);
  }

  it('delivers a gate failure sent twice once to Jira, PagerDuty, Teams and Slack; resolves on a pass', async () => {
    const scope = tenant();
    await addRoutes(scope, 'jira', 'pagerduty', 'teams', 'slack');
    const gateId = randomBytes(32).toString('hex');
    const failed = verdict('GateFailed', scope, gateId);
    await publish(service, failed);
    await publish(service, failed); // the broker redelivers
    const delivered = await settled(scope, 4);
    expect(delivered.map((n) => [n.destinationType, n.status, n.attempts]).sort()).toEqual([
      ['jira', 'delivered', 1],
      ['pagerduty', 'delivered', 1],
      ['slack', 'delivered', 1],
      ['teams', 'delivered', 1],
    ]);
    const label = `evalvault-notification-${delivered.find((n) => n.destinationType === 'jira')!.notificationId}`;
    expect(jira.issuesLabelled(label)).toHaveLength(1);
    expect(delivered.find((n) => n.destinationType === 'jira')!.remoteId).toBe(jira.issuesLabelled(label)[0]!.key);
    const triggers = pagerDuty.events('trigger').filter((event) => String(event['dedup_key']).includes(gateId));
    expect(triggers).toHaveLength(1);
    expect(teams.cards().filter((card) => JSON.stringify(card).includes(failed.payload.subject.runId))).toHaveLength(1);
    const messages = slack
      .messages()
      .filter((message) => JSON.stringify(message).includes(failed.payload.subject.runId));
    expect(messages).toHaveLength(1);
    // "Open the run" goes to the run's page under the public URL, not to the bearer-protected JSON of /v1.
    expect(JSON.stringify(messages[0])).toContain(
      `"url":"https://evalvault.example.com/runs/${failed.payload.subject.runId}"`,
    );
    expect(JSON.stringify(jira.issuesLabelled(label)[0]!.fields)).toContain(
      'mean(faithfulness) >= 0.8: actual 0.5, threshold 0.8',
    );

    await publish(service, verdict('GatePassed', scope, gateId));
    const all = await settled(scope, 7);
    const resolve = all.filter((n) => n.action === 'resolve' && n.destinationType === 'pagerduty');
    expect(
      all
        .filter((n) => n.action === 'resolve')
        .map((n) => [n.destinationType, n.status])
        .sort(),
    ).toEqual([
      ['jira', 'delivered'],
      ['pagerduty', 'delivered'],
    ]);
    expect(pagerDuty.incidents.get(String(triggers[0]!['dedup_key']))).toBe('resolved');
    expect(jira.issuesLabelled(label)[0]!.status.category).toBe('done');
    // Slack listens to passes too.
    expect(all.filter((n) => n.triggerType === 'GatePassed' && n.destinationType === 'slack')).toHaveLength(1);
    const events = await streamOf(resolve[0]!.notificationId);
    expect(events.map((e) => e.type)).toEqual(['NotificationIntended', 'IncidentResolved', 'NotificationDelivered']);
    // Every request any vendor received was in its documented format.
    for (const fake of [jira, pagerDuty, teams, slack]) expect(fake.received.flatMap((r) => r.problems)).toEqual([]);
  });

  it('a failing then passing gate opens then resolves one Jira issue', async () => {
    const scope = tenant();
    await addRoutes(scope, 'jira');
    const gateId = randomBytes(32).toString('hex');
    const episode = jiraEpisodeLabel(routeIdFor(scope.tenantId, scope.projectId, 'ops-jira'), gateId);
    await publish(service, verdict('GateFailed', scope, gateId));
    await settled(scope, 1);
    expect(jira.issuesLabelled(episode).map((issue) => issue.status.category)).toEqual(['new']);

    const passed = verdict('GatePassed', scope, gateId);
    await publish(service, passed);
    await publish(service, passed); // the broker redelivers
    const all = await settled(scope, 2);
    // Passing again opens and resolves nothing: the episode is closed (asked of the dispatcher, not the bus).
    expect(await service.notifier.dispatcher.dispatch(verdict('GatePassed', scope, gateId))).toBe(0);
    const [issue, ...others] = jira.issuesLabelled(episode);
    expect(others).toEqual([]);
    expect(issue!.status).toEqual({ name: 'Done', category: 'done' });
    expect(issue!.comments).toHaveLength(1);
    expect(JSON.stringify(issue!.comments[0]!.body)).toContain(
      `the gate passed again on run ${passed.payload.subject.runId}`,
    );
    const resolve = all.find((n) => n.action === 'resolve')!;
    expect([resolve.destinationType, resolve.status, resolve.remoteId]).toEqual(['jira', 'delivered', issue!.key]);
    const events = await streamOf(resolve.notificationId);
    expect(events.map((e) => e.type)).toEqual(['NotificationIntended', 'IncidentResolved', 'NotificationDelivered']);
    expect(jira.received.flatMap((r) => r.problems)).toEqual([]);
  });

  it('honours 429 Retry-After, and records each failed attempt before the delivery', async () => {
    const scope = tenant();
    await addRoutes(scope, 'slack');
    const metric = (name: string, labels: Record<string, string>) =>
      registryValue(service.registry, name, { destination: 'slack', ...labels }).then((value) => value ?? 0);
    const before = {
      retried: await metric('notifications_total', { outcome: 'retry' }),
      delivered: await metric('notifications_total', { outcome: 'delivered' }),
      timed: await metric('notification_delivery_latency_seconds_count', {}),
      within5min: await metric('notification_delivery_latency_seconds_bucket', { le: '300' }),
    };
    slack.next({ kind: 'throttle', retryAfter: '1' });
    const failed = verdict('GateFailed', scope, randomBytes(32).toString('hex'));
    await publish(service, failed);
    const [notification] = await settled(scope, 1);
    expect(notification).toMatchObject({ status: 'delivered', attempts: 2 });
    const events = await streamOf(notification!.notificationId);
    expect(events.map((e) => e.type)).toEqual([
      'NotificationIntended',
      'NotificationAttemptFailed',
      'NotificationDelivered',
    ]);
    const attempt = events[1] as EventOfType<'NotificationAttemptFailed'>;
    expect(attempt.payload).toMatchObject({ attempt: 1, statusCode: 429, retryAfterMs: 1_000 });
    const throttled = slack.received.filter((r) => JSON.stringify(r.body).includes(failed.payload.subject.runId));
    expect(throttled).toHaveLength(2);
    // Scheduled at least Retry-After after the 429 was answered, and not tried again before that.
    expect(attempt.payload.nextAttemptAt - throttled[0]!.receivedAt).toBeGreaterThanOrEqual(1_000);
    expect(throttled[1]!.receivedAt).toBeGreaterThanOrEqual(attempt.payload.nextAttemptAt);
    // What /metrics says about it: one retry, one delivery, timed from the intent (well within 5 minutes).
    // The worker counts right after its record commits, which this test may see first: wait for the count.
    await waitFor(async () => (await metric('notifications_total', { outcome: 'delivered' })) > before.delivered);
    expect(await metric('notifications_total', { outcome: 'retry' })).toBe(before.retried + 1);
    expect(await metric('notifications_total', { outcome: 'delivered' })).toBe(before.delivered + 1);
    expect(await metric('notification_delivery_latency_seconds_count', {})).toBe(before.timed + 1);
    expect(await metric('notification_delivery_latency_seconds_bucket', { le: '300' })).toBe(before.within5min + 1);
  });

  it('gives up after the last attempt (NotificationFailed, dead letter); a timeout cuts off slow vendors', async () => {
    const scope = tenant();
    await addRoutes(scope, 'jira');
    const failures = async () =>
      (await registryValue(service.registry, 'notifications_total', { destination: 'jira', outcome: 'failed' })) ?? 0;
    const failedBefore = await failures();
    const since = new Date();
    jira
      .next({ kind: 'fail', status: 503 }, 1, /search/)
      .next({ kind: 'slow', delayMs: 3_000 }, 1, /search/)
      .next({ kind: 'fail', status: 502 }, 1, /search/);
    await publish(service, verdict('GateFailed', scope, randomBytes(32).toString('hex')));
    const [notification] = await settled(scope, 1);
    expect(notification).toMatchObject({
      status: 'failed',
      attempts: 3,
      lastError: expect.stringContaining('HTTP 502'),
    });
    const events = await streamOf(notification!.notificationId);
    expect(events.map((e) => e.type)).toEqual([
      'NotificationIntended',
      'NotificationAttemptFailed',
      'NotificationAttemptFailed',
      'NotificationFailed',
    ]);
    expect((events[2] as EventOfType<'NotificationAttemptFailed'>).payload.error).toContain('no answer from 127.0.0.1');
    const letters = await readDeadLetters(
      testKafkaSettings('notifier-int-dlq'),
      since,
      notificationStreamId(notification!.notificationId),
    );
    expect(letters).toEqual([
      expect.objectContaining({
        type: 'NotificationIntended',
        attempts: '3',
        error: expect.stringContaining('HTTP 502'),
      }),
    ]);
    expect(await failures()).toBe(failedBefore + 1);
  });

  it('keeps credentials out of logs and events', async () => {
    const scope = tenant();
    await addRoutes(scope, 'jira', 'pagerduty', 'teams', 'slack');
    jira.next({ kind: 'fail', status: 500, body: { message: `echoing ${values.jiraToken}` } }, 1, /search/);
    await publish(service, verdict('GateFailed', scope, randomBytes(32).toString('hex')));
    const notifications = await settled(scope, 4);
    const events = [
      ...(await Promise.all(notifications.map((n) => streamOf(n.notificationId)))).flat(),
      ...(await service.store.readAll(START, { filter: { streamPrefixes: ['notifroute-'] } }))
        .map((r) => r.event)
        .filter((e) => e.tenantId === scope.tenantId),
    ];
    expect(events.length).toBeGreaterThan(8);
    const texts = JSON.stringify(events) + service.logs();
    expect(texts).toContain(`env:${scopedEnvName(scope, 'jira', 'TOKEN')}`); // references are fine
    for (const secret of [
      values.jiraToken,
      values.pagerDutyKey,
      new URL(values.teamsUrl).pathname,
      new URL(values.slackUrl).pathname,
    ]) {
      expect(texts).not.toContain(secret);
    }
    expect(Buffer.from(JSON.stringify(events)).toString()).not.toContain(
      Buffer.from(`${values.jiraEmail}:${values.jiraToken}`).toString('base64'),
    );
  });

  it('never sends another tenant’s secret from a route stored before secrets were scoped: fails for good', async () => {
    const [scope, other] = [tenant(), tenant()];
    const stolen = secretOf(other, 'slack', 'URL', values.slackUrl);
    const routeId = routeIdFor(scope.tenantId, scope.projectId, 'legacy');
    const { events } = await routeRepository(service.store, { now: Date.now, newId: randomUUID }).handle(
      routeStreamId(routeId),
      {
        type: 'CreateRoute',
        route: {
          routeId,
          name: 'legacy',
          on: ['GateFailed'],
          severity: 'error',
          destinationType: 'pagerduty',
          destinationJson: JSON.stringify({
            type: 'pagerduty',
            routingKeyRef: stolen,
            eventsUrl: `${pagerDuty.url}/v2/enqueue`,
          }),
        },
      },
      admin(scope),
    );
    await service.notifier.projection.applyAll(events);
    const failed = verdict('GateFailed', scope, randomBytes(32).toString('hex'));
    await publish(service, failed);
    const [notification] = await settled(scope, 1);
    expect(notification).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: expect.stringContaining(
        `destination.routingKeyRef: secret ${stolen} is not one of this tenant and project's pagerduty secrets`,
      ),
    });
    expect(pagerDuty.received.filter((r) => JSON.stringify(r.body).includes(failed.payload.subject.runId))).toEqual([]);
  });
});
