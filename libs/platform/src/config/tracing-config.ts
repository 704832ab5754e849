import type { Environment } from './environment.js';

/**
 * Whether this process exports its spans: an OTLP endpoint is named (OTEL_EXPORTER_OTLP_ENDPOINT,
 * or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT for traces alone) and the SDK is not switched off
 * (OTEL_SDK_DISABLED=true). Everything else about the export (protocol, headers, sampler,
 * resource attributes, batching) is the OpenTelemetry SDK's own reading of the OTEL_* variables.
 */
export function tracesExportConfigured(env: Environment): boolean {
  const endpoint = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  if (!endpoint?.trim()) return false;
  if (env['OTEL_SDK_DISABLED']?.trim().toLowerCase() === 'true') return false;
  return env['OTEL_TRACES_EXPORTER']?.trim().toLowerCase() !== 'none';
}

/** What a service's spans are exported as: its own name unless OTEL_SERVICE_NAME names it. */
export interface TraceExport {
  serviceName: string;
}

export function loadTraceExport(serviceName: string, env: Environment): TraceExport | undefined {
  if (!tracesExportConfigured(env)) return undefined;
  return { serviceName: env['OTEL_SERVICE_NAME']?.trim() || serviceName };
}
