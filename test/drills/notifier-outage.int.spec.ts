import { randomBytes, randomUUID } from 'node:crypto';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { jest } from '@jest/globals';
import pg from 'pg';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import type { EventOfType } from '@evalvault/contracts';
import { testEvent } from '@evalvault/contracts/testing';
import {
  busMetrics,
  InProcessBroker,
  InProcessEventServer,
  PostgresEventStore,
  runMigrations,
  secretResolver,
} from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import {
  buildNotifier,
  InProcessDeadLetterSink,
  NOTIFIER_MIGRATIONS,
  NOTIFIER_SCHEMA,
  type Notifier,
} from '@evalvault/service-notifier';
import { scopedEnvName } from '../../services/notifier/src/routes/secret-scope.js';
import { FakeJira } from '../../services/notifier/src/testing/index.js';
import { report } from './support/report.js';

jest.setTimeout(60_000);

const NOTIFICATIONS = 3;
const THRESHOLD = 5;
const COOLDOWN_MS = 60_000;
const CONCURRENCY = 4;
const OUTAGE_MS = 60 * 60_000; // one hour of the fake clock
const STEP_MS = 15_000;

/**
 * Drill: Jira unreachable for an hour (a fake clock drives the worker, so the hour takes seconds).
 * Three gate failures wait for the same route. The circuit breaker must hold them back — one
 * trial call per cooldown for the whole route, not a retry per notification per backoff — and
 * once Jira answers again each notification is delivered as exactly one ticket.
 */
describe('drill: notification vendor unreachable for an hour', () => {
  const tenantId = `tenant-${randomUUID()}`;
  const projectId = 'drill';
  const token = `jira-${randomBytes(12).toString('hex')}`;
  const tokenName = scopedEnvName({ tenantId, projectId }, 'jira', 'TOKEN');
  // The fake clock starts hours behind the database's clock, so rows it schedules are due in SQL terms
  // and only the breaker and the backoff (which read the fake clock) decide when a call goes out.
  let clock = Date.now() - 6 * 3600_000;
  let jira: FakeJira;
  let gate: Server;
  let reachable = false;
  let refused = 0;
  const sockets = new Set<Socket>();
  let pool: pg.Pool;
  let dataSource: DataSource;
  let store: PostgresEventStore;
  let notifier: Notifier;

  beforeAll(async () => {
    // The event store's tables are migrated once by the integration tier's global setup.
    await runMigrations(testDatabaseUrl(), NOTIFIER_SCHEMA, NOTIFIER_MIGRATIONS);
    jira = await FakeJira.start({ email: null, token });
    const jiraPort = Number(new URL(jira.url).port);
    // The vendor's front door: while "unreachable" every connection is cut as it opens.
    gate = createServer((socket) => {
      if (!reachable) {
        refused++;
        socket.destroy();
        return;
      }
      const upstream = createConnection(jiraPort, '127.0.0.1');
      sockets.add(socket).add(upstream);
      socket.pipe(upstream).pipe(socket);
      const close = (): void => {
        socket.destroy();
        upstream.destroy();
      };
      socket.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    }).listen(0, '127.0.0.1');
    await new Promise((resolve) => gate.once('listening', resolve));
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 4 });
    dataSource = await new DataSource({ type: 'postgres', url: testDatabaseUrl(), extra: { max: 4 } }).initialize();
    store = new PostgresEventStore(pool);
    const broker = new InProcessBroker();
    const logger = pino({ level: 'silent' });
    const registry = new Registry();
    notifier = buildNotifier(
      {
        dataSource,
        store,
        deadLetters: new InProcessDeadLetterSink(broker),
        logger,
        registry,
        secrets: secretResolver({ [tokenName]: token }),
        serverFor: (groupId, transportId) =>
          new InProcessEventServer({ broker, groupId, transportId, logger, metrics: busMetrics(registry) }),
      },
      {
        egressAllow: ['127.0.0.1'],
        secretRefPrefixes: ['env:EVALVAULT_SECRET_'],
        publicUrl: () => 'https://evalvault.example.com',
        groupPrefix: 'drill',
        consumerStart: 'latest',
        delivery: {
          maxAttempts: 10_000, // the outage must not exhaust the attempts: the breaker is what holds back
          timeoutMs: 2_000,
          initialBackoffMs: 1_000,
          maxBackoffMs: 30_000,
          maxRetryAfterMs: 60_000,
          leaseMs: 5_000,
          pollMs: 50,
          concurrency: CONCURRENCY,
          breakerThreshold: THRESHOLD,
          breakerCooldownMs: COOLDOWN_MS,
        },
      },
      { now: () => clock, newId: randomUUID, random: () => 0.5 },
    );
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    gate?.close(); // its open connections are destroyed above; nothing to wait for
    await jira?.close();
    await store?.close();
    await dataSource?.destroy();
    await pool?.end();
  });

  function gateFailed(): EventOfType<'GateFailed'> {
    const runId = randomUUID();
    const event = testEvent(
      'GateFailed',
      {
        gateId: randomBytes(32).toString('hex'),
        baselineRunId: null,
        baselineSource: null,
        subject: {
          runId,
          configHash: 'c'.repeat(64),
          dataset: { id: 'ds', name: 'drill', version: 1, contentHash: 'a'.repeat(64) },
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
      { tenantId, projectId, streamId: `run-${runId}` },
    );
    return { ...event, occurredAt: clock };
  }

  async function streams(): Promise<string[][]> {
    const { items } = await notifier.queries.listNotifications(tenantId, projectId, {});
    return Promise.all(
      items.map(async (n) =>
        (await store.readStream(`notification-${n.notificationId}`)).map((r) => r.event.type as string),
      ),
    );
  }

  it('holds calls back with the breaker, then delivers each notification as exactly one ticket', async () => {
    const gatePort = (gate.address() as AddressInfo).port;
    await notifier.routes.create(
      {
        name: 'ops',
        on: ['GateFailed'],
        destination: {
          type: 'jira',
          baseUrl: `http://127.0.0.1:${gatePort}`,
          projectKey: 'OPS',
          issueType: 'Bug',
          tokenRef: `env:${tokenName}`,
        },
      },
      {
        tenantId,
        projectId,
        actor: { subject: 'admin', authMethod: 'api_key', apiKeyId: null },
        correlationId: randomUUID(),
        causationId: null,
      },
    );
    clock += 1_000;
    for (let i = 0; i < NOTIFICATIONS; i++) await notifier.dispatcher.dispatch(gateFailed());

    for (let elapsed = 0; elapsed < OUTAGE_MS; elapsed += STEP_MS) {
      await notifier.worker.deliverDue();
      clock += STEP_MS;
    }
    const failedDuringOutage = (await streams()).flat().filter((t) => t === 'NotificationAttemptFailed').length;
    // Without a breaker: 3 notifications × one try per 30 s backoff for an hour ≈ 360 calls.
    const allowed = THRESHOLD + CONCURRENCY + OUTAGE_MS / COOLDOWN_MS + 1;
    expect(failedDuringOutage).toBeGreaterThanOrEqual(THRESHOLD);
    expect(failedDuringOutage).toBeLessThanOrEqual(allowed);
    // Every attempt was one connection, cut at the door. On a loaded machine the client may give up on an
    // attempt before the gate's accept callback has run: give the count a moment to catch up.
    for (const until = Date.now() + 2_000; refused < failedDuringOutage && Date.now() < until; ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(refused).toBe(failedDuringOutage);
    expect(jira.issues).toHaveLength(0);

    reachable = true;
    for (let round = 0; round < 40; round++) {
      clock += STEP_MS;
      await notifier.worker.deliverDue();
      const { items } = await notifier.queries.listNotifications(tenantId, projectId, {});
      if (items.every((n) => n.status === 'delivered')) break;
    }
    const { items } = await notifier.queries.listNotifications(tenantId, projectId, {});
    expect(items.map((n) => n.status)).toEqual(Array(NOTIFICATIONS).fill('delivered'));
    expect(jira.issues).toHaveLength(NOTIFICATIONS);
    for (const n of items) expect(jira.issuesLabelled(`evalvault-notification-${n.notificationId}`)).toHaveLength(1);
    for (const types of await streams()) {
      expect(types.filter((t) => t === 'NotificationDelivered')).toHaveLength(1);
      expect(types.at(-1)).toBe('NotificationDelivered');
    }
    report('notification vendor unreachable 1 h (fake clock)', {
      notifications: NOTIFICATIONS,
      attemptsDuringOutage: failedDuringOutage,
      allowedAttempts: allowed,
      tickets: jira.issues.length,
    });
  });
});
