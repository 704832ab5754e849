import { expect } from '@jest/globals';
import type { CompletedRun } from './completed-run.js';
import type { FakeLangfuse } from './fake-langfuse.js';
import type { FakeMlflow } from './fake-mlflow.js';
import type { FakeOtlp } from './fake-otlp.js';

/** What a run's export must have left at each stand-in, checked field by field (shared by the int and kill tests). */
const scoresOf = (index: number): Record<string, number> => ({ token_f1: 0.5 + index / 10, faithfulness: 0.9 });

export function expectLangfuseExport(langfuse: FakeLangfuse, run: CompletedRun): void {
  expect(langfuse.received.flatMap((request) => request.problems)).toEqual([]);
  const traces = [...langfuse.traces.values()].filter(
    (trace) => (trace['metadata'] as { evalvaultRunId?: string })['evalvaultRunId'] === run.runId,
  );
  expect(traces).toHaveLength(run.cases.length + 1); // the run's trace and one per case, each once
  const runTrace = traces.find((trace) => trace['name'] === `evalvault run ${run.runId}`)!;
  expect(runTrace).toMatchObject({
    sessionId: `evalvault-run-${run.runId}`,
    tags: expect.arrayContaining(['evalvault']),
  });
  expect(runTrace['metadata']).toMatchObject({
    configHash: 'c'.repeat(64),
    counts: { total: 3, evaluated: 2, failed: 1 },
  });
  const scores = [...langfuse.scores.values()];
  const scoresFor = (traceId: unknown): Record<string, unknown>[] => scores.filter((s) => s['traceId'] === traceId);
  expect(
    scoresFor(runTrace['id'])
      .map((s) => [s['name'], s['value']])
      .sort(),
  ).toEqual([
    ['faithfulness.mean', 0.9],
    ['token_f1.mean', 0.55],
  ]);
  run.cases.forEach((test, index) => {
    const trace = traces.find((candidate) => candidate['name'] === `evalvault case ${test.id}`)!;
    expect(trace).toMatchObject({
      sessionId: `evalvault-run-${run.runId}`,
      input: { question: test.question, contexts: test.contexts },
      output: test.answer,
      metadata: { caseIndex: index, caseId: test.id, groundTruth: test.groundTruth },
    });
    const failed = index === run.cases.length - 1;
    const expected = failed ? [] : Object.entries(scoresOf(index)).sort();
    const got = scoresFor(trace['id']).map((s) => {
      expect(s).toMatchObject({ dataType: 'NUMERIC', comment: expect.any(String) });
      return [s['name'], s['value']];
    });
    expect(got.sort()).toEqual(expected);
    if (failed) expect(trace['metadata']).toMatchObject({ status: 'failed', error: 'JUDGE_TIMEOUT: no answer' });
  });
  expectLangfuseDatasetRun(langfuse, run, traces);
}

/**
 * The run's dataset run: one, named after the run, in the dataset of its dataset version, with one run item per
 * case linking the case's item (question and contexts in, ground truth expected) to the case's trace.
 */
function expectLangfuseDatasetRun(langfuse: FakeLangfuse, run: CompletedRun, traces: Record<string, unknown>[]): void {
  const { datasets, items, runs, runItems } = langfuse.datasetApi;
  const datasetRuns = [...runs.values()].filter((candidate) => candidate.name === `evalvault-${run.runId}`);
  expect(datasetRuns).toHaveLength(1);
  const [datasetRun] = datasetRuns;
  expect(datasetRun).toMatchObject({
    datasetName: 'evalvault/checkout/rag-qa/v3',
    description: expect.stringContaining('on rag-qa v3'),
    metadata: expect.objectContaining({ evalvaultRunId: run.runId, configHash: 'c'.repeat(64) }),
  });
  expect(datasets.get(datasetRun!.datasetName)).toMatchObject({
    id: datasetRun!.datasetId,
    metadata: { evalvaultDatasetId: 'ds-rag-qa', version: 3 },
  });
  const links = runItems.filter((link) => link.datasetRunId === datasetRun!.id);
  expect(links).toHaveLength(run.cases.length);
  run.cases.forEach((test, index) => {
    const trace = traces.find((candidate) => candidate['name'] === `evalvault case ${test.id}`)!;
    const linked = links.filter((link) => link.traceId === trace['id']);
    expect(linked).toHaveLength(1);
    expect(items.get(linked[0]!.datasetItemId)).toMatchObject({
      datasetId: datasetRun!.datasetId,
      status: 'ACTIVE',
      input: { question: test.question, contexts: test.contexts },
      expectedOutput: { groundTruth: test.groundTruth },
      metadata: { caseIndex: index, caseId: test.id, datasetVersion: 3 },
    });
  });
}

export function expectMlflowExport(
  mlflow: FakeMlflow,
  run: CompletedRun,
  experiment: string,
  options: { artifact: boolean },
): void {
  expect(mlflow.received.flatMap((request) => request.problems)).toEqual([]);
  const experimentId = mlflow.experiments.get(experiment);
  const runs = [...mlflow.runs.values()].filter((candidate) => candidate.info.experiment_id === experimentId);
  expect(runs).toHaveLength(1); // one MLflow run per evaluation run
  const [exported] = runs;
  expect(exported!.info).toMatchObject({
    status: 'FINISHED',
    run_name: `evalvault-${run.runId}`,
    end_time: run.completed.occurredAt,
  });
  expect(Object.fromEntries(exported!.params)).toMatchObject({
    dataset: 'rag-qa',
    dataset_version: '3',
    prompt: 'answer',
    prompt_version: '2',
    config_hash: 'c'.repeat(64),
    metrics: 'token_f1,faithfulness',
    gate_rules: 'mean(token_f1) >= 0.8',
  });
  const metrics = Object.fromEntries(exported!.metrics.map((metric) => [metric.key, metric.value]));
  expect(metrics).toMatchObject({
    'token_f1.mean': 0.55,
    'token_f1.p10': 0.51,
    'faithfulness.max': 0.9,
    'cases.total': 3,
    'cases.failed': 1,
    duration_seconds: 4,
  });
  expect(exported!.metrics.every((metric) => metric.timestamp === run.completed.occurredAt)).toBe(true);
  expect(Object.fromEntries(exported!.tags)).toMatchObject({
    'evalvault.run_id': run.runId,
    'evalvault.project': 'checkout',
    'evalvault.label.branch': 'main',
  });
  const path = `${experimentId}/${exported!.info.run_id}/artifacts/evalvault/cases.json`;
  if (!options.artifact) {
    expect(exported!.tags.get('evalvault.cases_artifact')).toMatch(/not uploaded: the run's artifact store \(s3\)/);
    return;
  }
  const table = JSON.parse(mlflow.artifacts.get(path) ?? 'null') as { rows: Record<string, unknown>[] };
  expect(table.rows).toHaveLength(run.cases.length);
  expect(table.rows[0]).toMatchObject({ caseId: 'case-0', question: run.cases[0]!.question, scores: scoresOf(0) });
}

export function expectOtlpExport(otlp: FakeOtlp, run: CompletedRun): void {
  expect(otlp.received.flatMap((request) => request.problems)).toEqual([]);
  const spans = [...otlp.spans.values()].filter((span) => span.attributes['evalvault.run_id'] === run.runId);
  expect(spans).toHaveLength(run.cases.length + 1);
  const root = spans.find((span) => span.name === 'evalvault.run')!;
  expect(root).toMatchObject({ service: 'evalvault', parentSpanId: '', scope: 'evalvault-export' });
  expect(root.resource).toMatchObject({ 'openinference.project.name': 'evalvault' });
  expect(root.attributes).toMatchObject({
    'openinference.span.kind': 'CHAIN',
    'evalvault.config_hash': 'c'.repeat(64),
    'eval.token_f1.mean': 0.55,
    'evalvault.cases.failed': 1,
  });
  run.cases.forEach((test, index) => {
    const span = spans.find((candidate) => candidate.attributes['evalvault.case.index'] === index)!;
    expect(span).toMatchObject({ name: 'evalvault.case', traceId: root.traceId, parentSpanId: root.spanId });
    expect(span.attributes).toMatchObject({
      'openinference.span.kind': 'CHAIN',
      'input.value': test.question,
      'output.value': test.answer,
      'retrieval.documents.0.document.content': test.contexts[0],
      'retrieval.documents.1.document.content': test.contexts[1],
      'evalvault.case.id': test.id,
    });
    const failed = index === run.cases.length - 1;
    if (failed)
      expect(span).toMatchObject({ statusCode: 2, attributes: { 'evalvault.case.error': 'JUDGE_TIMEOUT: no answer' } });
    else
      expect(span.attributes).toMatchObject({
        'eval.token_f1.score': scoresOf(index)['token_f1'],
        'eval.faithfulness.score': 0.9,
      });
  });
}
