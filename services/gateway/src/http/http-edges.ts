import { Logger } from '@nestjs/common';
import type { FastifyRequest, FastifyServerOptions, onRequestHookHandler } from 'fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LOGGER, type ErrorLogger } from '@evalvault/platform';
import { DEFAULT_BODY_LIMIT } from './http-edges.config.js';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor.js';
import type { IdempotencyStore } from './idempotency/idempotency.store.js';
import { EdgeError } from './problem-codes.js';
import { ProblemDetailsFilter } from './problem-details.filter.js';
import { installRateLimit, type RateLimitOptions } from './rate-limit.js';
import { strictValidatorCompiler } from './validation.js';

export interface HttpEdgesOptions {
  /** Largest request body in bytes (default 1 MiB); a route may raise its own with `@RouteConfig({ bodyLimit })`. */
  bodyLimit?: number;
  /** Per-tenant rate limits, or false to leave them out (each is an explicit choice). */
  rateLimit: RateLimitOptions | false;
  /** Where Idempotency-Key answers are kept, or false to leave the header unhandled. */
  idempotency: IdempotencyStore | false;
  /** Where errors the client is not shown are logged; default the service's pino logger. */
  logger?: ErrorLogger;
  /** Told of every refused request before its problem is sent (the gateway records denied accesses). */
  onRefused?: (exception: unknown, request: FastifyRequest) => void;
}

/** FastifyAdapter options matching the edges, for a gateway that builds its own adapter. */
export function gatewayFastifyOptions(
  options: Pick<HttpEdgesOptions, 'bodyLimit'> & { trustProxy?: FastifyServerOptions['trustProxy'] } = {},
): FastifyServerOptions {
  return {
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // Behind a load balancer the client address (the rate limit's fallback key) is in X-Forwarded-For.
    ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
  };
}

/**
 * Problem details, strict validation, the body limit, Idempotency-Key and rate limits on a
 * gateway app. Call it after NestFactory.create and before `init()`/`listen()`: Nest reads the
 * global filters and interceptors, and Fastify the compiler and route hooks, as routes are
 * registered. Everything is set per route, so it also works on `createServiceApp`'s adapter.
 */
export async function installHttpEdges(app: NestFastifyApplication, options: HttpEdgesOptions): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  const logger = options.logger ?? serviceLogger(app);
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;

  fastify.setValidatorCompiler(strictValidatorCompiler());
  fastify.addHook('onRoute', (route) => {
    const own = (route.config as { bodyLimit?: unknown } | undefined)?.bodyLimit;
    route.bodyLimit ??= typeof own === 'number' ? own : bodyLimit;
  });
  fastify.addHook('onRequest', requireJsonBody);
  // Every answer, errors included: no browser may sniff a JSON body into something executable.
  // A callback hook, not an async one: a promise per answer for one header was measurable.
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    void reply.header('x-content-type-options', 'nosniff');
    done(null, payload);
  });
  app.useGlobalFilters(new ProblemDetailsFilter(app.getHttpAdapter(), logger, options.onRefused));
  if (options.idempotency) app.useGlobalInterceptors(new IdempotencyInterceptor(options.idempotency, logger));
  if (options.rateLimit) await installRateLimit(fastify, options.rateLimit);
}

const JSON_MEDIA_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

/**
 * A JSON API: a body in another media type is refused (415) before it is read. Without this,
 * Nest's form parser and Fastify's text parser would hand the handler a body of another shape.
 * Unknown routes are left to the 404.
 */
export const requireJsonBody: onRequestHookHandler = (request, _reply, done) => {
  if (request.is404) return done();
  const length = request.headers['content-length'];
  const hasBody = request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
  const type = request.headers['content-type'];
  if (!hasBody || (type !== undefined && (JSON_MEDIA_TYPE.test(type) || streamedByRoute(request, type)))) return done();
  done(
    new EdgeError(
      'UNSUPPORTED_MEDIA_TYPE',
      `send the body as application/json${type ? `, not ${type.split(';')[0]}` : ''}`,
    ),
  );
};

/** A route may take other media types as a stream (dataset uploads): its config lists them as `streamedMediaTypes`. */
function streamedByRoute(request: FastifyRequest, type: string): boolean {
  const streamed =
    (request.routeOptions.config as { streamedMediaTypes?: readonly string[] } | undefined)?.streamedMediaTypes ?? [];
  const mediaType = type.split(';')[0]!.trim().toLowerCase();
  return streamed.includes(mediaType);
}

/** The platform's pino logger when the app was built by createServiceApp; Nest's logger otherwise. */
function serviceLogger(app: NestFastifyApplication): ErrorLogger {
  try {
    return app.get<ErrorLogger>(LOGGER, { strict: false });
  } catch {
    const nest = new Logger('HttpEdges');
    return { error: (details, message) => nest.error(message, details) };
  }
}
