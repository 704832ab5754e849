import { NodeSDK } from '@opentelemetry/sdk-node';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';

/**
 * Starts the OpenTelemetry SDK for a service. Exporters come from the standard OTEL_*
 * environment variables when OTEL_EXPORTER_OTLP_ENDPOINT is set; otherwise spans are
 * still created (so logs carry trace ids) but not exported anywhere.
 */
export function startTelemetry(serviceName: string, options: { exportSpans: boolean; spanProcessors?: SpanProcessor[] }): NodeSDK {
  const sdk = new NodeSDK({
    serviceName,
    ...(options.exportSpans ? {} : { spanProcessors: options.spanProcessors ?? [] }),
    instrumentations: [],
  });
  sdk.start();
  return sdk;
}
