import protobuf from 'protobufjs';
import { FakeVendorServer, type ReceivedRequest, type VendorAnswer } from './fake-vendor-server.js';

/**
 * The part of opentelemetry-proto (collector/trace/v1 ExportTraceServiceRequest, trace/v1, common/v1) the
 * stand-in reads, with the upstream field numbers; no npm package ships the .proto files.
 */
const OTLP_TRACE_PROTO = `
syntax = "proto3";
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
message InstrumentationScope { string name = 1; string version = 2; }
message Status { string message = 2; int32 code = 3; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4;
  string name = 5; int32 kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9; Status status = 15; fixed32 flags = 16;
}
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue {
  oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; }
}
`;
const requestType = protobuf.parse(OTLP_TRACE_PROTO, { keepCase: false }).root.lookupType('ExportTraceServiceRequest');

export interface OtlpSpan {
  service: string;
  resource: Record<string, unknown>;
  scope: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  startNanos: bigint;
  endNanos: bigint;
  statusCode: number;
  attributes: Record<string, string | number | boolean>;
}

type AnyValue = { stringValue?: string; boolValue?: boolean; intValue?: number | string; doubleValue?: number };
type KeyValues = { key: string; value?: AnyValue }[] | undefined;

function attributesOf(list: KeyValues, path: string, problems: string[]): Record<string, string | number | boolean> {
  const attributes: Record<string, string | number | boolean> = {};
  for (const [index, entry] of (list ?? []).entries()) {
    if (!entry.key) problems.push(`${path}[${index}].key must be non-empty`);
    if (entry.key in attributes) problems.push(`${path}: key ${entry.key} appears twice`);
    const value = entry.value ?? {};
    const found = value.stringValue ?? value.boolValue ?? value.doubleValue ?? value.intValue;
    if (found === undefined) problems.push(`${path}[${index}] (${entry.key}) has no value`);
    else attributes[entry.key] = typeof found === 'string' && value.intValue !== undefined ? Number(found) : found;
  }
  return attributes;
}

const hex = (value: unknown): string =>
  typeof value === 'string' ? value.toLowerCase() : Buffer.from((value as Uint8Array) ?? []).toString('hex');

/**
 * An OTLP/HTTP trace receiver (opentelemetry.io/docs/specs/otlp, "OTLP/HTTP"), as Phoenix's /v1/traces: POST
 * with `application/x-protobuf` (binary ExportTraceServiceRequest) or `application/json` (its JSON mapping:
 * trace and span ids as hex strings, int64 as strings or numbers); anything else 415. Checked per span: a
 * 16-byte trace id and an 8-byte span id, neither all zeros; a name; a kind 0-5; start ≤ end, both set; keys
 * unique and non-empty; every resource naming service.name. A bad request is 400 (not retryable by the
 * spec); 200 with an empty ExportTraceServiceResponse otherwise. Spans are kept by (trace id, span id), as
 * Phoenix keys them: one sent again is counted in `duplicates`.
 */
export class FakeOtlp extends FakeVendorServer {
  readonly spans = new Map<string, OtlpSpan>();
  duplicates = 0;

  static start(): Promise<FakeOtlp> {
    return new FakeOtlp().listen();
  }

  protected handle(request: ReceivedRequest): VendorAnswer {
    if (request.method !== 'POST' || request.path !== '/v1/traces') {
      request.problems.push(`no such endpoint ${request.method} ${request.path}`);
      return { status: 404, body: 'Not Found' };
    }
    const type = String(request.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim();
    let decoded: Record<string, unknown>;
    if (type === 'application/x-protobuf') {
      try {
        decoded = requestType.toObject(requestType.decode(request.rawBytes), { longs: String, defaults: true });
      } catch (error) {
        request.problems.push(`body is not an ExportTraceServiceRequest: ${(error as Error).message}`);
        return { status: 400, body: 'bad protobuf' };
      }
    } else if (type === 'application/json') {
      decoded = (request.body ?? {}) as Record<string, unknown>;
    } else {
      request.problems.push(`content-type ${type} is neither application/x-protobuf nor application/json`);
      return { status: 415, body: 'Unsupported Media Type' };
    }
    const spans = this.spansOf(decoded, request.problems);
    if (request.problems.length > 0) return { status: 400, body: { message: request.problems.join('; ') } };
    for (const span of spans) {
      const key = `${span.traceId}/${span.spanId}`;
      if (this.spans.has(key)) this.duplicates++;
      this.spans.set(key, span);
    }
    return type === 'application/json'
      ? { status: 200, body: {} }
      : { status: 200, headers: { 'content-type': 'application/x-protobuf' } };
  }

  private spansOf(decoded: Record<string, unknown>, problems: string[]): OtlpSpan[] {
    const resourceSpans = decoded['resourceSpans'];
    if (!Array.isArray(resourceSpans) || resourceSpans.length === 0) {
      problems.push('resourceSpans must be a non-empty array');
      return [];
    }
    const spans: OtlpSpan[] = [];
    for (const [r, entry] of (resourceSpans as Record<string, unknown>[]).entries()) {
      const resource = attributesOf(
        (entry['resource'] as { attributes?: KeyValues } | undefined)?.attributes,
        `resourceSpans[${r}].resource.attributes`,
        problems,
      );
      if (typeof resource['service.name'] !== 'string') problems.push(`resourceSpans[${r}] has no service.name`);
      for (const [s, scopeSpans] of ((entry['scopeSpans'] ?? []) as Record<string, unknown>[]).entries()) {
        const scope = String((scopeSpans['scope'] as { name?: string } | undefined)?.name ?? '');
        for (const [i, raw] of ((scopeSpans['spans'] ?? []) as Record<string, unknown>[]).entries())
          spans.push(this.span(raw, `resourceSpans[${r}].scopeSpans[${s}].spans[${i}]`, resource, scope, problems));
      }
    }
    return spans;
  }

  private span(
    raw: Record<string, unknown>,
    path: string,
    resource: Record<string, unknown>,
    scope: string,
    problems: string[],
  ): OtlpSpan {
    const traceId = hex(raw['traceId']);
    const spanId = hex(raw['spanId']);
    if (!/^[0-9a-f]{32}$/.test(traceId) || /^0+$/.test(traceId))
      problems.push(`${path}.traceId must be 16 non-zero bytes`);
    if (!/^[0-9a-f]{16}$/.test(spanId) || /^0+$/.test(spanId)) problems.push(`${path}.spanId must be 8 non-zero bytes`);
    const name = String(raw['name'] ?? '');
    if (!name) problems.push(`${path}.name must be non-empty`);
    const kind = Number(raw['kind'] ?? 0);
    if (!Number.isInteger(kind) || kind < 0 || kind > 5) problems.push(`${path}.kind must be 0-5`);
    const start = BigInt(String(raw['startTimeUnixNano'] ?? '0'));
    const end = BigInt(String(raw['endTimeUnixNano'] ?? '0'));
    if (start === 0n || end < start) problems.push(`${path}: start and end times must be set, start ≤ end`);
    return {
      service: String(resource['service.name'] ?? ''),
      resource,
      scope,
      traceId,
      spanId,
      parentSpanId: hex(raw['parentSpanId'] ?? ''),
      name,
      kind,
      startNanos: start,
      endNanos: end,
      statusCode: Number((raw['status'] as { code?: number } | undefined)?.code ?? 0),
      attributes: attributesOf(raw['attributes'] as KeyValues, `${path}.attributes`, problems),
    };
  }
}
