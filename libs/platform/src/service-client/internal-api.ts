import { Readable } from 'node:stream';
import { context, propagation } from '@opentelemetry/api';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { INTERNAL_IDENTITY_HEADER, type InternalIdentity, type InternalIdentityVerifier } from './internal-identity.js';
import { PROBLEM_CONTENT_TYPE, problemFor } from './problem-details.js';
import { ServiceClientError, ServiceClientErrorCode } from './service-client.errors.js';
import {
  handlerFor,
  INTERNAL_API_PREFIX,
  OPERATION_NAME,
  toJsonText,
  type OperationHandlers,
  type OperationMap,
  type StreamHandlers,
  type StreamMap,
} from './service-client.port.js';

/** Where unexpected handler errors are logged (the caller only sees a bare 500); pino fits. */
export interface ErrorLogger {
  error(details: object, message: string): void;
}

export interface InternalApiOptions<
  Ops extends OperationMap<Ops>,
  Streams extends StreamMap<Streams> = Record<never, never>,
> {
  handlers: OperationHandlers<Ops>;
  /** Operations answered as a byte stream (same path scheme and identity check); names distinct from `handlers`. */
  streams?: StreamHandlers<Streams>;
  verifier: InternalIdentityVerifier;
  /** Default: Fastify's request log. */
  logger?: ErrorLogger;
}

/**
 * The owner side of distributed mode: `POST /internal/v1/{operation}` for each handler, plus a
 * catch-all answering unknown operations. Call once per Fastify instance (for Nest:
 * `app.getHttpAdapter().getInstance()`), before it starts listening.
 */
export function registerInternalApi<
  Ops extends OperationMap<Ops>,
  Streams extends StreamMap<Streams> = Record<never, never>,
>(fastify: FastifyInstance, options: InternalApiOptions<Ops, Streams>): void {
  // Identity is checked in onRequest, before the body is even parsed: strangers learn nothing.
  const identities = new WeakMap<FastifyRequest, InternalIdentity>();
  const authenticate = async (request: FastifyRequest): Promise<void> => {
    identities.set(request, await options.verifier.verify(identityHeader(request)));
  };
  const errorHandler = (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    replyWithProblem(reply, asServiceClientError(error, request, options.logger));
  };

  /**
   * `POST {prefix}/{operation}` behind the identity check and the problem answers; `handler` answers the
   * verified call.
   */
  const route = (
    operation: string,
    handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
  ): void => {
    if (!OPERATION_NAME.test(operation))
      throw new Error(`operation name "${operation}" must match ${String(OPERATION_NAME)}`);
    fastify.route({
      method: 'POST',
      url: `${INTERNAL_API_PREFIX}/${operation}`,
      onRequest: authenticate,
      errorHandler,
      handler,
    });
  };

  for (const operation of Object.keys(options.handlers)) {
    const handler = handlerFor(options.handlers, operation)!;
    route(operation, async (request, reply) => {
      // The caller's traceparent makes the handler's spans (and log lines) part of the caller's trace.
      const callerContext = propagation.extract(context.active(), request.headers);
      const output = await context.with(callerContext, () => handler(request.body, identities.get(request)!));
      await reply.code(200).type('application/json; charset=utf-8').send(toJsonText(output));
    });
  }

  for (const [operation, handler] of Object.entries(options.streams ?? {}) as [
    string,
    StreamHandlers<Streams>[keyof Streams],
  ][]) {
    if (Object.hasOwn(options.handlers, operation))
      throw new Error(`operation "${operation}" is declared both as a call and as a stream`);
    route(operation, async (request, reply) => {
      const callerContext = propagation.extract(context.active(), request.headers);
      const { contentType, body } = await context.with(callerContext, () =>
        handler(request.body as never, identities.get(request)!),
      );
      // Readable.from pulls the next chunk only when the socket drains: constant memory for any size.
      return reply
        .code(200)
        .type(contentType)
        .send(Readable.from(body, { objectMode: false }));
    });
  }

  fastify.route({
    method: 'POST',
    url: `${INTERNAL_API_PREFIX}/*`,
    onRequest: authenticate,
    errorHandler,
    handler: async (request) => {
      throw new ServiceClientError(ServiceClientErrorCode.NotFound, `no internal operation at ${request.url}`);
    },
  });
}

function identityHeader(request: FastifyRequest): string | undefined {
  const value = request.headers[INTERNAL_IDENTITY_HEADER];
  if (Array.isArray(value))
    throw new ServiceClientError(
      ServiceClientErrorCode.Unauthenticated,
      `more than one ${INTERNAL_IDENTITY_HEADER} header`,
    );
  return value;
}

/**
 * Our errors keep their code; Fastify's own 4xx (bad JSON, wrong media type) are the caller's input; the
 * rest is hidden.
 */
function asServiceClientError(
  error: unknown,
  request: FastifyRequest,
  logger: ErrorLogger | undefined,
): ServiceClientError {
  if (error instanceof ServiceClientError) return error;
  const status = (error as Partial<FastifyError>).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new ServiceClientError(ServiceClientErrorCode.InvalidInput, (error as Error).message, { status });
  }
  (logger ?? request.log).error({ err: error, url: request.url }, 'internal operation failed');
  return new ServiceClientError(ServiceClientErrorCode.Internal, 'internal error');
}

function replyWithProblem(reply: FastifyReply, error: ServiceClientError): void {
  void reply
    .code(error.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problemFor(error)));
}
