import { randomUUID } from 'node:crypto';
import { caseEvaluatedPayload, type EvalVaultEvent, type TestCase } from '@evalvault/contracts';
import { sampleRunRequested, testEvent } from '@evalvault/contracts/testing';
import { parseAddressRanges } from '@evalvault/platform';
import type { DeliveryRequest } from '../delivery/destination.port.js';
import { DeliveryStepError, type HttpDeliveryOptions } from '../delivery/http-call.js';
import { sampleIntent } from '../notification/testing.js';
import { messageOf } from '../destinations/message.js';
import { sampleCase } from '../testing/completed-run.js';
import { FakeLangfuse } from '../testing/fake-langfuse.js';
import type { FakeLangfuseRunItem } from '../testing/fake-langfuse-datasets.js';
import { LangfuseAdapter } from './langfuse.adapter.js';
import { exportedRun, type ExportedRun } from './run-results.js';
import type { RunResultsRepository } from './run-results.repository.js';

const keys = { public: 'pk-lf-under-test', secret: 'sk-lf-under-test' };
const options: HttpDeliveryOptions = {
  egressAllow: ['127.0.0.1'],
  egressAllowPrivate: parseAddressRanges(['127.0.0.1']),
  timeoutMs: 2_000,
  secrets: async (ref) => (ref.endsWith('PUBLIC_KEY') ? keys.public : keys.secret),
  now: () => Date.now(),
};

/** A completed run of `count` cases of dataset rag-qa v3, every case evaluated. */
function completedRun(count: number): ExportedRun {
  const requested = sampleRunRequested();
  const { runId } = requested.payload;
  const envelope = { tenantId: 'acme', projectId: 'checkout', streamId: `run-${runId}` };
  const cases = Array.from({ length: count }, (_, index) => sampleCase(index));
  const evaluated = cases.map((test, index) => ({
    caseId: test.id,
    caseIndex: index,
    scores: [{ metric: 'token_f1', score: 0.5, explanation: 'half' }],
    durationMs: 10,
    usage: null,
  }));
  const aggregate = { metric: 'token_f1', count, mean: 0.5, min: 0.5, max: 0.5, p10: 0.5, p50: 0.5, p90: 0.5 };
  const events: EvalVaultEvent[] = [
    { ...requested, ...envelope, payload: { ...requested.payload, inlineCases: null } },
    testEvent('CaseEvaluated', caseEvaluatedPayload(runId, evaluated), envelope),
    testEvent(
      'RunCompleted',
      {
        runId,
        totalCases: count,
        evaluatedCases: count,
        failedCases: 0,
        aggregates: [aggregate],
        durationMs: 100,
        usage: null,
      },
      envelope,
    ),
  ];
  return exportedRun(events, new Map<number, TestCase>(cases.map((test, index) => [index, test])));
}

/** The Langfuse adapter against the Langfuse stand-in over real HTTP on 127.0.0.1. */
describe('Langfuse adapter: traces and a dataset run', () => {
  let langfuse: FakeLangfuse;
  beforeEach(async () => {
    langfuse = await FakeLangfuse.start(keys.public, keys.secret);
  });
  afterEach(() => langfuse.close());

  const deliver = (run: ExportedRun, notificationId = randomUUID()): Promise<unknown> => {
    const runs = { load: async () => run } as unknown as RunResultsRepository;
    const intent = sampleIntent({ notificationId, runId: run.runId, triggerType: 'RunCompleted' });
    const destination = {
      type: 'langfuse' as const,
      baseUrl: langfuse.url,
      publicKeyRef: 'env:EVALVAULT_SECRET_ACME__CHECKOUT__LANGFUSE_PUBLIC_KEY',
      secretKeyRef: 'env:EVALVAULT_SECRET_ACME__CHECKOUT__LANGFUSE_SECRET_KEY',
    };
    const request: DeliveryRequest = {
      notificationId,
      tenantId: 'acme',
      projectId: 'checkout',
      intent,
      destination,
      message: messageOf(intent, 'checkout'),
    };
    return new LangfuseAdapter(options, runs).deliver(request);
  };
  const failureOf = async (delivery: Promise<unknown>): Promise<DeliveryStepError['failure']> => {
    const error = await delivery.then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(DeliveryStepError);
    return (error as DeliveryStepError).failure;
  };
  const api = (): FakeLangfuse['datasetApi'] => langfuse.datasetApi;
  const runItemsOf = (run: ExportedRun): FakeLangfuseRunItem[] =>
    api().runItems.filter((item) => item.datasetRunName === `evalvault-${run.runId}`);

  it('sends a dataset, an item per case and a run item per case linking its trace, once when sent twice', async () => {
    const run = completedRun(3);
    const notificationId = randomUUID();
    await deliver(run, notificationId);
    await deliver(run, notificationId); // an attempt made again, its first answer lost
    expect(langfuse.received.flatMap((r) => r.problems)).toEqual([]);
    expect([...api().datasets.keys()]).toEqual(['evalvault/checkout/rag-qa/v3']);
    const dataset = api().datasets.get('evalvault/checkout/rag-qa/v3')!;
    expect(dataset).toMatchObject({ description: 'EvalVault dataset rag-qa v3 (ds-rag-qa)' });
    const items = [...api().items.values()];
    expect(items).toHaveLength(3);
    expect(items.map((item) => item.writes)).toEqual([2, 2, 2]); // upserted again, not added
    expect([...api().runs.values()]).toEqual([
      expect.objectContaining({
        name: `evalvault-${run.runId}`,
        datasetId: dataset.id,
        description: 'token_f1, faithfulness_lexical on rag-qa v3 (ds-rag-qa)',
        metadata: expect.objectContaining({ evalvaultRunId: run.runId, configHash: 'c'.repeat(64) }),
      }),
    ]);
    const runItems = runItemsOf(run);
    expect(runItems).toHaveLength(3);
    run.cases.forEach((one, index) => {
      const item = items.find((candidate) => (candidate.metadata as { caseIndex: number }).caseIndex === index)!;
      expect(item).toMatchObject({
        datasetId: dataset.id,
        status: 'ACTIVE',
        input: { question: one.input!.question, contexts: one.input!.contexts },
        expectedOutput: { groundTruth: one.input!.groundTruth },
        metadata: { caseId: one.caseId, evalvaultDatasetId: 'ds-rag-qa', datasetVersion: 3 },
      });
      const trace = [...langfuse.traces.values()].find((t) => t['name'] === `evalvault case ${one.caseId}`)!;
      expect(runItems.filter((link) => link.datasetItemId === item.id).map((link) => link.traceId)).toEqual([
        trace['id'],
      ]);
    });
    expect(langfuse.received.filter((r) => r.method === 'GET').length).toBe(2); // each attempt looked first
  });

  it('creates only the missing run items after a 429, and pages through a run of more than 100', async () => {
    const run = completedRun(105);
    const notificationId = randomUUID();
    const runItemPost = /dataset-run-items$/;
    // The 6th run item is throttled: the first went alone, 2-5 together, 7-9 beside the 6th.
    langfuse
      .next({ kind: 'slow', delayMs: 0 }, 5, runItemPost, 'POST')
      .next({ kind: 'throttle', retryAfter: '7' }, 1, runItemPost, 'POST');
    const throttled = await failureOf(deliver(run, notificationId));
    expect(throttled).toMatchObject({ permanent: false, statusCode: 429, retryAfterMs: 7_000 });
    expect(throttled.error).toMatch(/^langfuse dataset run item: HTTP 429/);
    expect(runItemsOf(run)).toHaveLength(8);
    const posted = (): number =>
      langfuse.received.filter((r) => r.method === 'POST' && runItemPost.test(r.path)).length;
    const before = posted();
    await deliver(run, notificationId);
    expect(posted() - before).toBe(105 - 8);
    await deliver(run, notificationId);
    expect(posted() - before).toBe(105 - 8);
    expect(langfuse.received.flatMap((r) => r.problems)).toEqual([]);
    const runItems = runItemsOf(run);
    expect(runItems).toHaveLength(105);
    expect(new Set(runItems.map((item) => item.datasetItemId)).size).toBe(105);
    const pages = langfuse.received.filter((r) => r.method === 'GET').map((r) => r.query.get('page'));
    expect(pages).toEqual(['1', '1', '1', '2']); // no run yet, 8 items, then 105 on two pages of 100
  });

  it('shares the dataset and items between two runs on one dataset version, each with its own run', async () => {
    const [first, second] = [completedRun(2), completedRun(2)];
    await deliver(first);
    await deliver(second);
    expect(api().datasets.size).toBe(1);
    expect(api().items.size).toBe(2);
    expect(api().runs.size).toBe(2);
    expect(runItemsOf(first)).toHaveLength(2);
    expect(runItemsOf(second)).toHaveLength(2);
  });

  it("fails for good with Langfuse's reason on a 400, and retries a 503", async () => {
    const run = completedRun(2);
    langfuse.next(
      { kind: 'fail', status: 400, body: { message: 'Invalid request data', error: ['input is too large'] } },
      1,
      /dataset-items$/,
    );
    const refused = await failureOf(deliver(run));
    expect(refused).toMatchObject({ permanent: true, statusCode: 400 });
    expect(refused.error).toMatch(/^langfuse dataset item: HTTP 400 .*Invalid request data.*input is too large/);
    expect(refused.error).not.toContain(keys.secret);
    langfuse.next({ kind: 'fail', status: 503 }, 1, /v2\/datasets$/);
    expect(await failureOf(deliver(run))).toMatchObject({ permanent: false, statusCode: 503 });
  });
});
