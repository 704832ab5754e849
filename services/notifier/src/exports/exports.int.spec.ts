import { randomBytes, randomUUID } from 'node:crypto';
import type { CommandContext } from '@evalvault/platform';
import { testDatabaseUrl, testKafkaSettings } from '@evalvault/platform/testing';
import type { CreateExportRequest, NotificationView } from '@evalvault/service-apis';
import { notificationStreamId } from '../notification/notification.ids.js';
import { scopedEnvName, type SecretKind, type SecretScope } from '../routes/secret-scope.js';
import { readDeadLetters } from '../testing/dead-letter-reader.js';
import { appendCompletedRun, type CompletedRun } from '../testing/completed-run.js';
import { FakeLangfuse, FakeMlflow, FakeOtlp } from '../testing/index.js';
import { publish, startInProcessNotifier, type InProcessNotifier } from '../testing/in-process-notifier.js';
import { expectLangfuseExport, expectMlflowExport, expectOtlpExport } from '../testing/export-expectations.js';

/**
 * Tracker exports on the real PostgreSQL and Kafka: a RunCompleted published to the runs topic is exported
 * once to each of a project's exports, read from the run's events in the store, to stand-ins that check the
 * vendors' documented request shapes field by field.
 */
describe('tracker exports', () => {
  const keys = { public: `pk-lf-${randomUUID()}`, secret: `sk-lf-${randomBytes(12).toString('hex')}` };
  const secrets: Record<string, string> = {};
  let langfuse: FakeLangfuse;
  let mlflow: FakeMlflow;
  let otlp: FakeOtlp;
  let service: InProcessNotifier;

  beforeAll(async () => {
    [langfuse, mlflow, otlp] = await Promise.all([
      FakeLangfuse.start(keys.public, keys.secret),
      FakeMlflow.start(),
      FakeOtlp.start(),
    ]);
    service = await startInProcessNotifier({
      databaseUrl: testDatabaseUrl(),
      kafka: testKafkaSettings('notifier-exports-int'),
      secrets,
      egressAllow: ['127.0.0.1'],
      // Attempts are counted: a loaded machine must not turn a slow answer into a timeout and another attempt.
      delivery: { timeoutMs: 3_000, leaseMs: 9_000 },
    });
  });

  afterAll(async () => {
    await service?.close();
    await Promise.all([langfuse, mlflow, otlp].map((fake) => fake?.close()));
  });

  const tenant = (): SecretScope => ({ tenantId: `tenant-${randomUUID()}`, projectId: 'checkout' });
  const admin = (scope: SecretScope): CommandContext => ({
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
  const exportsOf = (scope: SecretScope, experimentName: string): CreateExportRequest[] => [
    {
      name: 'langfuse',
      on: ['RunCompleted'],
      destination: {
        type: 'langfuse',
        baseUrl: langfuse.url,
        publicKeyRef: secretOf(scope, 'langfuse', 'PUBLIC_KEY', keys.public),
        secretKeyRef: secretOf(scope, 'langfuse', 'SECRET_KEY', keys.secret),
      },
    },
    {
      name: 'mlflow',
      on: ['RunCompleted'],
      destination: { type: 'mlflow', trackingUrl: mlflow.url, experimentName },
    },
    { name: 'phoenix', on: ['RunCompleted'], destination: { type: 'otlp', endpoint: `${otlp.url}/v1/traces` } },
  ];

  async function settled(scope: SecretScope, count: number): Promise<NotificationView[]> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const { items } = await service.notifier.queries.listNotifications(scope.tenantId, scope.projectId, {});
      if (items.length >= count && items.every((item) => item.status !== 'pending')) return items;
      if (Date.now() > deadline) throw new Error(`exports did not settle: ${JSON.stringify(items)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function completedRunWithExports(scope: SecretScope, experimentName: string): Promise<CompletedRun> {
    for (const request of exportsOf(scope, experimentName))
      await service.notifier.routes.createExport(request, admin(scope));
    return appendCompletedRun(service.store, scope);
  }

  it('exports a completed run, published twice, once to Langfuse, MLflow and OTLP, field by field', async () => {
    const scope = tenant();
    const experiment = `evalvault-${randomUUID()}`;
    const run = await completedRunWithExports(scope, experiment);
    await publish(service, run.completed);
    await publish(service, run.completed); // the broker redelivers
    const delivered = await settled(scope, 3);
    expect(delivered.map((n) => [n.destinationType, n.triggerType, n.status, n.attempts]).sort()).toEqual([
      ['langfuse', 'RunCompleted', 'delivered', 1],
      ['mlflow', 'RunCompleted', 'delivered', 1],
      ['otlp', 'RunCompleted', 'delivered', 1],
    ]);
    expectLangfuseExport(langfuse, run);
    expectMlflowExport(mlflow, run, experiment, { artifact: true });
    expectOtlpExport(otlp, run);
    expect(service.logs()).not.toContain(keys.secret);
  });

  it('retries a 429 and a 5xx, and fails for good with the reason on a 4xx, without retrying it', async () => {
    const scope = tenant();
    const experiment = `evalvault-${randomUUID()}`;
    const run = await completedRunWithExports(scope, experiment);
    langfuse.next({ kind: 'throttle', retryAfter: '0' }, 1, /ingestion/);
    // Then the second run item: the first made the dataset run, the third goes beside it; the next attempt adds it.
    langfuse
      .next({ kind: 'slow', delayMs: 0 }, 1, /dataset-run-items$/, 'POST')
      .next({ kind: 'throttle', retryAfter: '0' }, 1, /dataset-run-items$/, 'POST');
    otlp.next({ kind: 'fail', status: 503 }, 1);
    mlflow.next(
      { kind: 'fail', status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: 'bad run' } },
      1,
      /runs\/create/,
    );
    const before = mlflow.received.length;
    const since = new Date();
    await publish(service, run.completed);
    const outcomes = await settled(scope, 3);
    const by = (type: string): NotificationView => outcomes.find((n) => n.destinationType === type)!;
    expect(by('langfuse')).toMatchObject({ status: 'delivered', attempts: 3 });
    expect(by('otlp')).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(by('mlflow')).toMatchObject({ status: 'failed', attempts: 1 });
    expect(by('mlflow').lastError).toMatch(/mlflow create run: HTTP 400 .*INVALID_PARAMETER_VALUE/);
    expect(mlflow.received.slice(before).filter((r) => r.path.endsWith('runs/create'))).toHaveLength(1);
    const letters = await readDeadLetters(
      testKafkaSettings('notifier-exports-dlq'),
      since,
      notificationStreamId(by('mlflow').notificationId),
    );
    expect(letters).toEqual([
      expect.objectContaining({ type: 'NotificationIntended', attempts: '1', error: by('mlflow').lastError }),
    ]);
    expectLangfuseExport(langfuse, run);
    expectOtlpExport(otlp, run);
  });

  it('continues the MLflow run it created when throttled after, and says why no artifact went up', async () => {
    const scope = tenant();
    const experiment = `evalvault-${randomUUID()}`;
    const noArtifacts = await FakeMlflow.start({ serveArtifacts: false });
    try {
      await service.notifier.routes.createExport(
        {
          name: 'mlflow-s3',
          on: ['RunCompleted'],
          destination: { type: 'mlflow', trackingUrl: noArtifacts.url, experimentName: experiment },
        },
        admin(scope),
      );
      const run = await appendCompletedRun(service.store, scope);
      noArtifacts.next({ kind: 'throttle', retryAfter: '0' }, 1, /runs\/log-batch$/);
      await publish(service, run.completed);
      const [outcome] = await settled(scope, 1);
      expect(outcome).toMatchObject({ destinationType: 'mlflow', status: 'delivered', attempts: 2 });
      expect(noArtifacts.received.filter((r) => r.path.endsWith('runs/search'))).toHaveLength(2);
      expectMlflowExport(noArtifacts, run, experiment, { artifact: false });
    } finally {
      await noArtifacts.close();
    }
  });

  it('fails an export Langfuse refuses inside a 207 or an OTLP backend with a 400, with the reason, once', async () => {
    const scope = tenant();
    const run = await completedRunWithExports(scope, `evalvault-${randomUUID()}`);
    langfuse.refuseNextEvent('score-create', 400, 'score value out of range');
    otlp.next({ kind: 'fail', status: 400, body: { code: 3, message: 'invalid span' } }, 1, /v1\/traces/);
    await publish(service, run.completed);
    const outcomes = await settled(scope, 3);
    expect(outcomes.find((n) => n.destinationType === 'otlp')).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: expect.stringMatching(/^otlp export: HTTP 400 .*invalid span/),
    });
    const failed = outcomes.find((n) => n.destinationType === 'langfuse')!;
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed.lastError).toMatch(
      /langfuse ingestion: 1 event\(s\) refused, e\.g\. .+ HTTP 400 score value out of range/,
    );
  });
});
