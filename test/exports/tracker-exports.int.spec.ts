import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { startEmbeddedPlatform, type EmbeddedPlatform } from '../../apps/embedded/src/index.js';
import { FakeLangfuse, FakeMlflow, FakeOtlp } from '../../services/notifier/src/testing/index.js';

jest.setTimeout(180_000);

/**
 * Done when of tracker exports, end to end: a run submitted over REST and completed by the embedded platform, in
 * a project with three exports, arrives once at each tracker's stand-in, checked field by field (at Langfuse: one
 * trace set and one dataset run).
 */
describe('tracker exports of a completed run (embedded platform)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'evalvault-exports-'));
  const suffix = randomBytes(4).toString('hex').toUpperCase();
  const publicName = `EVALVAULT_SECRET_DEFAULT__DEFAULT__LANGFUSE_PUBLIC_${suffix}`;
  const secretName = `EVALVAULT_SECRET_DEFAULT__DEFAULT__LANGFUSE_SECRET_${suffix}`;
  const keys = { public: `pk-lf-${randomUUID()}`, secret: `sk-lf-${randomBytes(12).toString('hex')}` };
  const experiment = `rag-evals-${suffix}`;
  let langfuse: FakeLangfuse;
  let mlflow: FakeMlflow;
  let otlp: FakeOtlp;
  let platform: EmbeddedPlatform;

  beforeAll(async () => {
    [langfuse, mlflow, otlp] = await Promise.all([
      FakeLangfuse.start(keys.public, keys.secret),
      FakeMlflow.start(),
      FakeOtlp.start(),
    ]);
    process.env[publicName] = keys.public; // the notifier resolves secrets from the process environment
    process.env[secretName] = keys.secret;
    platform = await startEmbeddedPlatform({
      dataDir: join(scratch, 'data'),
      port: 0,
      oidcPort: 0,
      quiet: true,
      env: { EVALVAULT_EGRESS_ALLOW: '127.0.0.1' },
    });
  });

  afterAll(async () => {
    await platform?.stop();
    await Promise.all([langfuse, mlflow, otlp].map((fake) => fake?.close()));
    delete process.env[publicName];
    delete process.env[secretName];
    rmSync(scratch, { recursive: true, force: true });
  });

  const api = async (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
    const response = await fetch(`${platform.url}/v1/projects/default${path}`, {
      method,
      headers: { authorization: `Bearer ${platform.adminKey}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const answer = (await response.json()) as Record<string, unknown>;
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(answer)}`);
    return answer;
  };

  it('exports the run once to Langfuse, MLflow and OTLP', async () => {
    const destinations = [
      {
        type: 'langfuse',
        baseUrl: langfuse.url,
        publicKeyRef: `env:${publicName}`,
        secretKeyRef: `env:${secretName}`,
      },
      { type: 'mlflow', trackingUrl: mlflow.url, experimentName: experiment },
      { type: 'otlp', endpoint: `${otlp.url}/v1/traces`, serviceName: 'rag-evals' },
    ];
    for (const destination of destinations)
      await api('POST', '/exports', { name: destination.type, on: ['RunCompleted'], destination });
    expect(((await api('GET', '/exports'))['items'] as unknown[]).length).toBe(3);
    const cases = [
      {
        question: 'Capital of France?',
        answer: 'Paris',
        contexts: ['Paris is the capital of France.'],
        ground_truth: 'Paris',
      },
      {
        question: 'Capital of Italy?',
        answer: 'Milan',
        contexts: ['Rome is the capital of Italy.'],
        ground_truth: 'Rome',
      },
    ];
    const { runId, configHash } = (await api('POST', '/runs', {
      dataset: { name: 'capitals', cases },
      metrics: ['exact_match', 'token_f1'],
    })) as { runId: string; configHash: string };

    const deadline = Date.now() + 120_000;
    let log: { destinationType: string; status: string; runId: string }[] = [];
    while (Date.now() < deadline) {
      log = (await api('GET', `/notifications?runId=${runId}`))['items'] as typeof log;
      if (log.length === 3 && log.every((entry) => entry.status !== 'pending')) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(log.map((entry) => [entry.destinationType, entry.status]).sort()).toEqual([
      ['langfuse', 'delivered'],
      ['mlflow', 'delivered'],
      ['otlp', 'delivered'],
    ]);
    for (const fake of [langfuse, mlflow, otlp]) expect(fake.received.flatMap((r) => r.problems)).toEqual([]);

    const traces = [...langfuse.traces.values()];
    expect(traces).toHaveLength(3); // the run and its two cases
    const paris = traces.find((trace) => (trace['input'] as { question?: string })?.question === cases[0]!.question)!;
    expect(paris).toMatchObject({ output: 'Paris', sessionId: `evalvault-run-${runId}` });
    const parisScores = [...langfuse.scores.values()].filter((score) => score['traceId'] === paris['id']);
    expect(Object.fromEntries(parisScores.map((s) => [s['name'], s['value']]))).toEqual({
      exact_match: 1,
      token_f1: 1,
    });

    // The dataset run: the inline dataset, an item per case, one run whose items link each item to its case trace.
    const { datasets, items, runs, runItems } = langfuse.datasetApi;
    expect([...datasets.keys()]).toEqual([
      expect.stringMatching(/^evalvault\/default\/capitals\/inline-[0-9a-f]{16}$/),
    ]);
    expect(items.size).toBe(2);
    expect([...runs.values()]).toEqual([
      expect.objectContaining({ name: `evalvault-${runId}`, metadata: expect.objectContaining({ configHash }) }),
    ]);
    expect(runItems).toHaveLength(2);
    cases.forEach((test, index) => {
      const item = [...items.values()].find(
        (candidate) => (candidate.input as { question?: string } | null)?.question === test.question,
      );
      expect(item).toMatchObject({
        input: { question: test.question, contexts: test.contexts },
        expectedOutput: { groundTruth: test.ground_truth },
        metadata: { caseIndex: index, datasetVersion: null },
      });
      const trace = traces.find(
        (candidate) => (candidate['input'] as { question?: string })?.question === test.question,
      );
      expect(runItems.filter((link) => link.datasetItemId === item!.id).map((link) => link.traceId)).toEqual([
        trace!['id'],
      ]);
    });

    expect(mlflow.runs.size).toBe(1);
    const [run] = [...mlflow.runs.values()];
    expect(run!.info).toMatchObject({ status: 'FINISHED', experiment_id: mlflow.experiments.get(experiment) });
    expect(Object.fromEntries(run!.params)).toMatchObject({
      config_hash: configHash,
      dataset: 'capitals',
      metrics: 'exact_match,token_f1',
    });
    expect(Object.fromEntries(run!.metrics.map((m) => [m.key, m.value]))).toMatchObject({
      'exact_match.mean': 0.5,
      'cases.total': 2,
    });
    expect(run!.tags.get('evalvault.run_id')).toBe(runId);
    expect(mlflow.artifacts.size).toBe(1);

    const spans = [...otlp.spans.values()];
    expect(spans).toHaveLength(3);
    const milan = spans.find((span) => span.attributes['output.value'] === 'Milan')!;
    expect(milan).toMatchObject({ service: 'rag-evals', name: 'evalvault.case' });
    expect(milan.attributes).toMatchObject({
      'input.value': cases[1]!.question,
      'retrieval.documents.0.document.content': cases[1]!.contexts[0],
      'eval.exact_match.score': 0,
      'evalvault.run_id': runId,
    });
  });
});
