import { createRequire } from 'node:module';
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
 * With exportSpans, the full Node SDK takes its exporters from the standard OTEL_* environment
 * variables; it is loaded only then, because its exporters (gRPC, protobuf, HTTP) cost about
 * 0.8 s of module loading at every start.
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

function startNodeSdk(serviceName: string, spanProcessors: SpanProcessor[] | undefined): Telemetry {
  const { NodeSDK } = createRequire(import.meta.url)(
    '@opentelemetry/sdk-node',
  ) as typeof import('@opentelemetry/sdk-node');
  const sdk = new NodeSDK({ serviceName, instrumentations: [], ...(spanProcessors ? { spanProcessors } : {}) });
  sdk.start();
  return sdk;
}
