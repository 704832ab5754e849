import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { exportedRun, type ExportedRun } from './run-results.js';
import { langfuseBatches, langfuseEvents } from './langfuse.render.js';
import { langfuseDatasetName, langfuseDatasetRun } from './langfuse-dataset.render.js';
import { MLFLOW_LIMITS, mlflowBatches, mlflowMetrics, mlflowParams } from './mlflow.render.js';
import { otlpSpans } from './otlp.render.js';
import { sampleRunRequested, testEvent } from '@evalvault/contracts/testing';
import type { EvalVaultEvent } from '@evalvault/contracts';

function run(cases: number): ExportedRun {
  const requested = sampleRunRequested({ tenantId: 't', projectId: 'p' });
  const runId = requested.payload.runId;
  const envelope = { tenantId: 't', projectId: 'p', streamId: `run-${runId}` };
  const evaluated = Array.from({ length: cases }, (_, index) => ({
    caseId: `c${index}`,
    caseIndex: index,
    scores: [{ metric: 'token_f1', score: 0.5, explanation: 'half' }],
    durationMs: 10,
    usage: null,
  }));
  const events: EvalVaultEvent[] = [
    requested,
    testEvent('CaseEvaluated', { runId, ...evaluated[0]!, moreCases: evaluated.slice(1) }, envelope),
    testEvent(
      'RunCompleted',
      {
        runId,
        totalCases: cases,
        evaluatedCases: cases,
        failedCases: 0,
        aggregates: [{ metric: 'token_f1', count: cases, mean: 0.5, min: 0.5, max: 0.5, p10: 0.5, p50: 0.5, p90: 0.5 }],
        durationMs: 100,
        usage: null,
      },
      envelope,
    ),
  ];
  return exportedRun(events, new Map());
}

describe('what exports send', () => {
  it('reads the inline cases of a run that scheduled none, and refuses a run that did not complete', () => {
    const one = run(1);
    expect(one.cases[0]!.input).toMatchObject({ question: 'What is RAG?' });
    expect(() => exportedRun([sampleRunRequested()], new Map())).toThrow('the run has not completed');
  });

  it('Langfuse: the same ids for the same notification, batches under the size limit, in order', () => {
    const big = run(50);
    const events = langfuseEvents(big, 'n-1');
    expect(langfuseEvents(big, 'n-1').map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    const batches = langfuseBatches(events, 4_000);
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.flat()).toEqual(events);
    for (const batch of batches) expect(Buffer.byteLength(JSON.stringify(batch))).toBeLessThanOrEqual(4_000 + 2);
  });

  it('Langfuse: a dataset run with an item per case, ids per dataset version, run items naming the case traces', () => {
    const exported = run(1);
    const sent = langfuseDatasetRun(exported, 'n-1');
    expect(sent.dataset).toMatchObject({ name: 'evalvault/p/rag-qa/v3', metadata: { version: 3 } });
    expect(sent.items).toEqual([
      expect.objectContaining({
        datasetName: 'evalvault/p/rag-qa/v3',
        input: { question: 'What is RAG?', contexts: ['RAG means retrieval-augmented generation.'] },
        expectedOutput: { groundTruth: 'Retrieval-augmented generation' },
        metadata: expect.objectContaining({ caseIndex: 0, caseId: 'c0', evalvaultDatasetId: 'ds-rag-qa' }),
      }),
    ]);
    const caseTrace = langfuseEvents(exported, 'n-1').find((e) => e.body['name'] === 'evalvault case c0')!;
    expect(sent.runItems).toEqual([
      expect.objectContaining({
        runName: `evalvault-${exported.runId}`,
        datasetItemId: sent.items[0]!.id,
        traceId: caseTrace.body['id'],
      }),
    ]);
    // Another export or run of the same dataset version upserts the same item; its run items name its own traces.
    const other = langfuseDatasetRun({ ...exported, runId: 'r-2' }, 'n-2');
    expect(other.items.map((item) => item.id)).toEqual(sent.items.map((item) => item.id));
    expect(other.runItems[0]!.traceId).not.toBe(sent.runItems[0]!.traceId);
    const v4 = { ...exported, dataset: { ...exported.dataset, version: 4 } };
    expect(langfuseDatasetRun(v4, 'n-1').items[0]!.id).not.toBe(sent.items[0]!.id);
    expect(langfuseDatasetRun({ ...exported, tenantId: 't2' }, 'n-1').items[0]!.id).not.toBe(sent.items[0]!.id);
    const inline = { ...exported, dataset: { id: 'inline-0123', name: null, version: null, contentHash: 'd' } };
    expect(langfuseDatasetName(inline)).toBe('evalvault/p/inline/inline-0123');
    const unscheduled = { ...exported, cases: exported.cases.map((one) => ({ ...one, input: null })) };
    expect(langfuseDatasetRun(unscheduled, 'n-1')).toMatchObject({ items: [], runItems: [] });
  });

  it('MLflow: params, metrics and tags split within log-batch limits', () => {
    const metrics = Array.from({ length: 2_500 }, (_, step) => ({ key: 'm', value: 1, timestamp: 1, step }));
    const params = mlflowParams(run(1));
    const batches = mlflowBatches(params, metrics, [{ key: 't', value: 'v' }]);
    expect(batches.map((b) => b.metrics.length + b.params.length + b.tags.length)).toEqual([
      1000,
      1000,
      2_500 + params.length + 1 - 2_000,
    ]);
    expect(batches.slice(1).every((b) => b.params.length === 0 && b.tags.length === 0)).toBe(true);
    expect(batches.flatMap((b) => b.metrics)).toEqual(metrics);
    expect(params.length).toBeLessThanOrEqual(MLFLOW_LIMITS.params);
    expect(mlflowMetrics(run(2)).find((m) => m.key === 'token_f1.p90')).toMatchObject({ value: 0.5, step: 0 });
  });

  it('OTLP: one trace, the run as the root of a span per case, encoded by the SDK serializer', () => {
    const spans = otlpSpans(run(2), 'n-1', 'evalvault');
    expect(spans.map((s) => s.spanContext().traceId)).toEqual(Array(3).fill(spans[0]!.spanContext().traceId));
    expect(spans.slice(1).map((s) => s.parentSpanContext?.spanId)).toEqual([
      spans[0]!.spanContext().spanId,
      spans[0]!.spanContext().spanId,
    ]);
    expect(otlpSpans(run(2), 'n-2', 'evalvault')[0]!.spanContext().traceId).not.toBe(spans[0]!.spanContext().traceId);
    expect(ProtobufTraceSerializer.serializeRequest(spans)?.length).toBeGreaterThan(100);
  });
});
