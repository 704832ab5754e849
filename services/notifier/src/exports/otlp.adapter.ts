import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { AttemptResult, DeliveryRequest, DestinationAdapter } from '../delivery/destination.port.js';
import {
  DeliveryStepError,
  failureOf,
  httpCall,
  isSuccess,
  resolveSecret,
  type HttpDeliveryOptions,
} from '../delivery/http-call.js';
import { exportHexId } from './export-ids.js';
import { runToExport } from './export-run.js';
import { OTLP_SPANS_PER_REQUEST, otlpSpans } from './otlp.render.js';
import type { RunResultsRepository } from './run-results.repository.js';

/** `name=value` pairs, comma-separated, as OTEL_EXPORTER_OTLP_HEADERS (values URL-encoded). */
export function parseOtlpHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    headers[pair.slice(0, at).trim().toLowerCase()] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  return headers;
}

/**
 * OTLP/HTTP traces (protobuf by default, as Phoenix takes them; JSON on request): the run's trace with a span
 * per case carrying OpenInference attributes, encoded by the OpenTelemetry SDK's own serializers. OTLP
 * answers 400 for data it refuses (final) and 429/5xx when it cannot take it now (tried again, Retry-After
 * honoured); a 200 with partial success that rejected spans fails for good with the collector's message.
 * Span ids are derived from the notification: a backend keyed on them (Phoenix) keeps one copy of a span sent
 * twice after a crash; others may show it twice (OTLP has no idempotency key).
 */
export class OtlpAdapter implements DestinationAdapter {
  constructor(
    private readonly options: HttpDeliveryOptions,
    private readonly runs: RunResultsRepository,
  ) {}

  async deliver(request: DeliveryRequest): Promise<AttemptResult> {
    const { destination, notificationId } = request;
    if (destination.type !== 'otlp') throw new Error(`OtlpAdapter got a ${destination.type} destination`);
    const run = await runToExport(this.runs, request);
    const secret = destination.headersRef ? await resolveSecret(this.options.secrets, destination.headersRef) : null;
    const json = destination.encoding === 'json';
    const serializer = json ? JsonTraceSerializer : ProtobufTraceSerializer;
    const headers = {
      ...(secret ? parseOtlpHeaders(secret) : {}),
      'content-type': json ? 'application/json' : 'application/x-protobuf',
    };
    const secrets = secret ? Object.values(parseOtlpHeaders(secret)) : [];
    const spans = otlpSpans(run, notificationId, destination.serviceName ?? 'evalvault');
    for (let index = 0; index < spans.length; index += OTLP_SPANS_PER_REQUEST) {
      const body = serializer.serializeRequest(spans.slice(index, index + OTLP_SPANS_PER_REQUEST));
      if (!body) throw new Error('the OTLP serializer produced no request');
      const answer = await httpCall(this.options, 'otlp export', destination.endpoint, {
        method: 'POST',
        headers,
        body: Buffer.from(body),
      });
      if (!isSuccess(answer)) throw failureOf('otlp export', answer, this.options.now(), secrets);
      this.checkPartialSuccess(answer.rawBody ?? Buffer.from(answer.body), serializer);
    }
    return { ok: true, remoteId: exportHexId(16, notificationId, 'trace'), remoteUrl: null };
  }

  /** A 2xx may still say that spans were rejected (OTLP partial success): that is final, with the reason. */
  private checkPartialSuccess(
    body: Buffer,
    serializer: typeof JsonTraceSerializer | typeof ProtobufTraceSerializer,
  ): void {
    if (body.length === 0) return;
    let partial: { rejectedSpans?: unknown; errorMessage?: string } | undefined;
    try {
      partial = serializer.deserializeResponse(new Uint8Array(body)).partialSuccess;
    } catch {
      return; // not an ExportTraceServiceResponse: taken as full success, as the SDK's exporter does
    }
    const rejected = Number(partial?.rejectedSpans ?? 0);
    const message = partial?.errorMessage ?? '';
    if (rejected > 0)
      throw new DeliveryStepError({
        error: `otlp export: ${rejected} span(s) rejected${message ? `: ${message.slice(0, 200)}` : ''}`,
        statusCode: 200,
        retryAfterMs: null,
        permanent: true,
      });
  }
}
