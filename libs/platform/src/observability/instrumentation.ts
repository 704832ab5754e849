import { register } from 'node:module';
import type { Environment } from '../config/service-config.js';
import { tracesExportConfigured } from '../config/tracing-config.js';
import { loadNodeSdk } from './telemetry.js';
import type { OwnerServiceConfig, OwnerServiceDefinition } from '../service/owner-service.js';
import type { OperationMap, StreamMap } from '../service-client/service-client.port.js';

/**
 * Registers the instrumentations of the libraries our spans do not cover themselves: outgoing
 * HTTP on fetch (undici's diagnostics channel: the LLM judge's calls, the gateway's calls to the
 * owners) and PostgreSQL queries (pg). Called by each main.ts before it loads anything else,
 * because pg is patched as it loads: ESM imports are seen only through import-in-the-middle's
 * loader hook, registered here. Only when spans are exported: otherwise nothing is loaded or hooked
 * and a start costs nothing more. Incoming HTTP is traced by our own Fastify hooks (tracing.ts),
 * the Kafka hops by the bus adapters, the notifier's vendor calls (node:http, which the hook did not
 * reach in a service) by its `deliver <destination>` span.
 */
export async function instrumentLibraries(env: Environment): Promise<void> {
  if (!tracesExportConfigured(env)) return;
  const { createAddHookMessageChannel } = await import('import-in-the-middle');
  // Only modules some instrumentation asks for get wrapped, not every module the process loads.
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
  const [{ registerInstrumentations }, { UndiciInstrumentation }, { PgInstrumentation }] = await Promise.all([
    import('@opentelemetry/instrumentation'),
    import('@opentelemetry/instrumentation-undici'),
    import('@opentelemetry/instrumentation-pg'),
  ]);
  registerInstrumentations({
    instrumentations: [
      // Only inside a trace: pollers and consumers that wait for work would otherwise start a trace per query.
      new PgInstrumentation({ requireParentSpan: true }),
      new UndiciInstrumentation({ requireParentforSpans: true, ignoreRequestHook: carriesTraceparent }),
    ],
  });
  await Promise.all([waitForAllMessagesAcknowledged(), loadNodeSdk()]);
}

/**
 * A request that already carries a traceparent was traced by its caller (the service client puts
 * one on every internal call): a second one would make the header unreadable at the other end.
 */
function carriesTraceparent(request: { headers: string | (string | string[])[] }): boolean {
  if (typeof request.headers === 'string') return /(^|\r\n)traceparent:/i.test(request.headers);
  // Names and values alternate.
  return request.headers.some((item, index) => index % 2 === 0 && String(item).toLowerCase() === 'traceparent');
}

/**
 * A service's main.ts in one call: instruments the libraries, then loads the service (and with it
 * pg) and runs it as its own process. The service comes as a loader so that nothing
 * of it is imported before the instrumentation is in place.
 */
export async function runInstrumented<
  Config extends OwnerServiceConfig,
  Ops extends OperationMap<Ops>,
  Streams extends StreamMap<Streams>,
  Exports,
  Peers,
>(
  loadDefinition: () => Promise<OwnerServiceDefinition<Config, Ops, Streams, Exports, Peers>>,
  env: Environment,
): Promise<void> {
  await instrumentLibraries(env);
  const [{ runOwnerService }, definition] = await Promise.all([
    import('../service/run-owner-service.js'),
    loadDefinition(),
  ]);
  await runOwnerService(definition, env);
}
