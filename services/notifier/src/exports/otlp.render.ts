import { SpanKind, SpanStatusCode, TraceFlags, type Attributes, type HrTime } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { versionLabel } from '../destinations/message.js';
import { exportHexId } from './export-ids.js';
import type { ExportedCase, ExportedRun } from './run-results.js';

/** Spans per OTLP request: a few hundred keep a request well under collectors' default 4 MiB. */
export const OTLP_SPANS_PER_REQUEST = 200;

const hr = (ms: number): HrTime => [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];

interface SpanInput {
  notificationId: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  startMs: number;
  endMs: number;
  attributes: Attributes;
  failed: boolean;
}

/** A finished span as the OTel SDK hands it to exporters, so the SDK's own OTLP serializers encode it. */
function readableSpan(input: SpanInput, resource: ReadableSpan['resource']): ReadableSpan {
  const context = { traceId: input.traceId, spanId: input.spanId, traceFlags: TraceFlags.SAMPLED };
  return {
    name: input.name,
    kind: SpanKind.INTERNAL,
    spanContext: () => context,
    ...(input.parentSpanId
      ? { parentSpanContext: { traceId: input.traceId, spanId: input.parentSpanId, traceFlags: TraceFlags.SAMPLED } }
      : {}),
    startTime: hr(input.startMs),
    endTime: hr(input.endMs),
    duration: hr(input.endMs - input.startMs),
    status: { code: input.failed ? SpanStatusCode.ERROR : SpanStatusCode.OK },
    attributes: input.attributes,
    links: [],
    events: [],
    ended: true,
    resource,
    instrumentationScope: { name: 'evalvault-export', version: '1' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

/** OpenInference attributes of a case: input, output, retrieved documents, and each metric as an eval score. */
function caseAttributes(run: ExportedRun, one: ExportedCase): Attributes {
  const attributes: Attributes = {
    'openinference.span.kind': 'CHAIN',
    'evalvault.run_id': run.runId,
    'evalvault.case.index': one.caseIndex,
    'evalvault.case.status': one.status,
  };
  if (one.caseId) attributes['evalvault.case.id'] = one.caseId;
  if (one.input) {
    attributes['input.value'] = one.input.question;
    attributes['input.mime_type'] = 'text/plain';
    attributes['output.value'] = one.input.answer;
    attributes['output.mime_type'] = 'text/plain';
    one.input.contexts.forEach((content, index) => {
      attributes[`retrieval.documents.${index}.document.content`] = content;
      attributes[`retrieval.documents.${index}.document.id`] = `${one.caseId ?? one.caseIndex}-${index}`;
    });
    if (one.input.groundTruth) attributes['evalvault.case.ground_truth'] = one.input.groundTruth;
  }
  for (const score of one.scores) {
    attributes[`eval.${score.metric}.score`] = score.score;
    attributes[`eval.${score.metric}.explanation`] = score.explanation;
  }
  if (one.error) attributes['evalvault.case.error'] = one.error;
  return attributes;
}

function runAttributes(run: ExportedRun): Attributes {
  const attributes: Attributes = {
    'openinference.span.kind': 'CHAIN',
    'evalvault.run_id': run.runId,
    'evalvault.project': run.projectId,
    'evalvault.dataset': versionLabel(run.dataset),
    'evalvault.prompt': versionLabel(run.prompt),
    'evalvault.model_profile': versionLabel(run.modelProfile),
    'evalvault.config_hash': run.configHash,
    'evalvault.cases.total': run.counts.total,
    'evalvault.cases.evaluated': run.counts.evaluated,
    'evalvault.cases.failed': run.counts.failed,
    'evalvault.verdict': run.verdict ?? 'unknown',
  };
  for (const aggregate of run.aggregates) {
    attributes[`eval.${aggregate.metric}.mean`] = aggregate.mean;
    attributes[`eval.${aggregate.metric}.p10`] = aggregate.p10;
  }
  return attributes;
}

/**
 * One trace per run and export: a root span for the run (its pins and aggregates) and a child span per case.
 * Ids are derived from the notification, so a request sent again carries the same spans.
 */
export function otlpSpans(run: ExportedRun, notificationId: string, serviceName: string): ReadableSpan[] {
  const resource = resourceFromAttributes({
    'service.name': serviceName,
    'openinference.project.name': serviceName,
  });
  const traceId = exportHexId(16, notificationId, 'trace');
  const rootId = exportHexId(8, notificationId, 'span', 'run');
  const root = readableSpan(
    {
      notificationId,
      traceId,
      spanId: rootId,
      parentSpanId: null,
      name: 'evalvault.run',
      startMs: run.requestedAt,
      endMs: Math.max(run.completedAt, run.requestedAt),
      attributes: runAttributes(run),
      failed: false,
    },
    resource,
  );
  const cases = run.cases.map((one) =>
    readableSpan(
      {
        notificationId,
        traceId,
        spanId: exportHexId(8, notificationId, 'span', one.caseIndex),
        parentSpanId: rootId,
        name: 'evalvault.case',
        startMs: run.requestedAt,
        endMs: run.requestedAt + (one.durationMs ?? 0),
        attributes: caseAttributes(run, one),
        failed: one.status === 'failed',
      },
      resource,
    ),
  );
  return [root, ...cases];
}
