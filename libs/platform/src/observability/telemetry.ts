import { NodeSDK } from '@opentelemetry/sdk-node';
import { NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace';

/**
 * Starts the OpenTelemetry SDK for a service. Exporters come from the standard OTEL_*
 * environment variables when exportSpans is set (OTEL_EXPORTER_OTLP_ENDPOINT given);
 * otherwise a no-op processor still makes the SDK register its tracer provider, so
 * spans get real ids that logs and events carry, without being exported anywhere.
 */
export function startTelemetry(
  serviceName: string,
  options: { exportSpans: boolean; spanProcessors?: SpanProcessor[] },
): NodeSDK {
  const sdk = new NodeSDK({
    serviceName,
    ...(options.exportSpans ? {} : { spanProcessors: options.spanProcessors ?? [new NoopSpanProcessor()] }),
    instrumentations: [],
  });
  sdk.start();
  return sdk;
}
