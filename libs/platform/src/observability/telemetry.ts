import { context, propagation, trace } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { NoopSpanProcessor, TracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { AsyncContextManager } from './context-manager.js';

/** What a started telemetry gives back: its stop, which flushes and ends span processing. */
export interface Telemetry {
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry for a service. Without exportSpans, a tracer provider with a no-op
 * processor (or the given ones) is registered with the W3C propagators and an AsyncLocalStorage
 * context, so spans get real ids that logs and events carry, without being exported anywhere.
 * With exportSpans (the service's config decided it from the OTEL_* variables: tracing-config.ts),
 * the Node SDK exports spans over OTLP. It is loaded (loadNodeSdk, from instrumentLibraries) only
 * then: its exporters cost about 0.8 s of module loading at every start. The library
 * instrumentations are registered before the libraries load, by instrumentLibraries
 * (instrumentation.ts) in each main.ts, not here.
 */
export function startTelemetry(
  serviceName: string,
  options: { exportSpans: boolean; spanProcessors?: SpanProcessor[] },
): Telemetry {
  if (options.exportSpans) return startNodeSdk(serviceName, options.spanProcessors);
  context.setGlobalContextManager(new AsyncContextManager());
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  const provider = new TracerProvider({ spanProcessors: options.spanProcessors ?? [new NoopSpanProcessor()] });
  trace.setGlobalTracerProvider(provider);
  return { shutdown: () => provider.shutdown() };
}

/**
 * The SDK reads the exporter (OTLP, by default HTTP/protobuf), its endpoint, headers, timeout and
 * compression, the sampler, the propagators, the batch processor's settings and the resource
 * attributes from the standard OTEL_* variables itself. Only traces leave the process: metrics
 * are Prometheus' (/metrics) and logs pino's, so the SDK's own metric and log pipelines stay off.
 * Its shutdown flushes the spans not yet sent.
 */
function startNodeSdk(serviceName: string, spanProcessors: SpanProcessor[] | undefined): Telemetry {
  if (!nodeSdk)
    throw new Error('spans are to be exported but the OpenTelemetry SDK is not loaded: call loadNodeSdk() first');
  const sdk = new nodeSdk.NodeSDK({
    serviceName,
    instrumentations: [],
    metricReaders: [],
    logRecordProcessors: [],
    ...(spanProcessors ? { spanProcessors } : {}),
  });
  sdk.start();
  return {
    // An unreachable collector must not turn a clean stop into a failed one: the spans are lost, said once.
    shutdown: () =>
      sdk.shutdown().catch((error: unknown) => {
        process.emitWarning(`spans not exported at shutdown: ${(error as Error).message}`, 'TelemetryWarning');
      }),
  };
}

let nodeSdk: typeof import('@opentelemetry/sdk-node') | undefined;

/**
 * Loads the Node SDK as an ES module, before startTelemetry exports spans. Through require it would
 * register its tracer provider with the CommonJS copy of @opentelemetry/api, and the tracers our
 * modules and the instrumentations took from the ES module copy before it started would stay no-ops.
 */
export async function loadNodeSdk(): Promise<void> {
  nodeSdk ??= await import('@opentelemetry/sdk-node');
}
