import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';

const tracer = trace.getTracer('evalvault-platform');
/**
 * Where a request's span waits for its answer: a property Fastify declares on every request (a
 * stable shape), not a WeakMap, whose entry per request cost more than the span itself.
 */
const REQUEST_SPAN = 'evalvaultSpan';

declare module 'fastify' {
  interface FastifyRequest {
    [REQUEST_SPAN]: Span | null;
  }
}

/** The W3C traceparent of the active span, to put in an event envelope (null outside any span). */
export function currentTraceparent(): string | null {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier['traceparent'] ?? null;
}

/**
 * A server span per HTTP request, continuing the caller's trace (traceparent header),
 * active for everything the request does, so logs, store appends and the events they
 * write carry its trace id. Done with Fastify hooks: our own, because the HTTP
 * auto-instrumentation needs a module loader hook that ESM and jest do not give it.
 */
export function installHttpTracing(fastify: FastifyInstance): void {
  fastify.decorateRequest(REQUEST_SPAN, null);
  fastify.addHook('onRequest', (request, _reply, done) => {
    const parent = propagation.extract(context.active(), request.headers);
    const path = request.url.split('?')[0];
    const span = tracer.startSpan(
      `${request.method} ${request.routeOptions.url ?? path}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'url.path': path } },
      parent,
    );
    request[REQUEST_SPAN] = span;
    context.with(trace.setSpan(parent, span), done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const span = request[REQUEST_SPAN];
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    done();
  });
}

/**
 * An outgoing HTTP call in a CLIENT span (`POST vendor.example`), for calls no instrumentation
 * reaches (node:http in an ESM service loads before any hook could patch it). The status code is
 * taken from the answer; a 5xx or a throw marks the span as an error.
 */
export function inHttpClientSpan<T extends { status: number }>(
  method: string,
  url: URL,
  work: () => Promise<T>,
): Promise<T> {
  const attributes = { 'http.request.method': method, 'server.address': url.hostname, 'url.full': url.origin };
  return tracer.startActiveSpan(`${method} ${url.hostname}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      const answer = await work();
      span.setAttribute('http.response.status_code', answer.status);
      if (answer.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      return answer;
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Runs `work` in a child span of the active one, recording a failure. */
export function inSpan<T>(
  name: string,
  attributes: Record<string, string | number>,
  work: () => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work();
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * Runs `work` in a span that continues a stored trace (an event's traceparent), for work a poller
 * picks up later, outside the context that asked for it; a new trace when there is none.
 */
export function inSpanContinuing<T>(
  traceparent: string | null,
  name: string,
  attributes: Record<string, string | number>,
  work: () => Promise<T>,
): Promise<T> {
  const parent = traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
  return context.with(parent, () => inSpan(name, attributes, work));
}
