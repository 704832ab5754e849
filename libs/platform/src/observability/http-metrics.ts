import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';

/** Route label of a request that matched no route: one series for every unknown path, never the path itself. */
export const UNMATCHED_ROUTE = 'unmatched';

export interface HttpMetrics {
  requests: Counter<'method' | 'route' | 'status'>;
  duration: Histogram<'method' | 'route' | 'status'>;
}

/**
 * http_requests_total and http_request_duration_seconds by method, route template and status
 * code. The route is Fastify's template (`/v1/projects/:project/runs`), never the URL, so ids
 * in paths do not multiply series.
 */
export function httpMetrics(registry: Registry): HttpMetrics {
  return {
    requests:
      (registry.getSingleMetric('http_requests_total') as HttpMetrics['requests'] | undefined) ??
      new Counter({
        name: 'http_requests_total',
        help: 'HTTP requests answered, by method, route template and status code.',
        labelNames: ['method', 'route', 'status'],
        registers: [registry],
      }),
    duration:
      (registry.getSingleMetric('http_request_duration_seconds') as HttpMetrics['duration'] | undefined) ??
      new Histogram({
        name: 'http_request_duration_seconds',
        help: 'Time from receiving an HTTP request to sending its answer.',
        labelNames: ['method', 'route', 'status'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers: [registry],
      }),
  };
}

/** When a request arrived (hrtime, ns): a property declared on every request, cheaper than a WeakMap entry each. */
const STARTED_AT = 'evalvaultStartedAt';

declare module 'fastify' {
  interface FastifyRequest {
    [STARTED_AT]: bigint | undefined;
  }
}

/** Counts and times every request the Fastify instance answers, errors and 404s included. */
export function installHttpMetrics(fastify: FastifyInstance, registry: Registry): void {
  const metrics = httpMetrics(registry);
  fastify.decorateRequest(STARTED_AT, undefined);
  fastify.addHook('onRequest', (request, _reply, done) => {
    request[STARTED_AT] = process.hrtime.bigint();
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const start = request[STARTED_AT];
    const labels = {
      method: request.method,
      route: request.is404 ? UNMATCHED_ROUTE : (request.routeOptions.url ?? UNMATCHED_ROUTE),
      status: String(reply.statusCode),
    };
    metrics.requests.inc(labels);
    if (start !== undefined) metrics.duration.observe(labels, Number(process.hrtime.bigint() - start) / 1e9);
    done();
  });
}
