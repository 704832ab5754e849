import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NDJSON_MEDIA_TYPE } from '@evalvault/service-apis';

/** Route config naming the media types a route takes as a stream (the HTTP edges let them through). */
export const NDJSON_UPLOAD_CONFIG = { streamedMediaTypes: [NDJSON_MEDIA_TYPE] };

const streams = new WeakMap<FastifyRequest, Readable>();

/**
 * The body Fastify hands a handler for a streamed upload: a small marker, not the stream, so that
 * what inspects bodies (the idempotency hash) never walks a socket. The stream itself is kept
 * per request for the handler (streamedBodyOf) and read once, as the registry consumes it.
 */
export const STREAMED_BODY = Object.freeze({ streamed: NDJSON_MEDIA_TYPE });

/** Lets application/x-ndjson bodies reach their routes unread. Call once, before the gateway listens. */
export function installDatasetUploads(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(NDJSON_MEDIA_TYPE, (request, payload, done) => {
    streams.set(request, payload as Readable);
    done(null, STREAMED_BODY);
  });
}

export function streamedBodyOf(request: FastifyRequest): Readable | undefined {
  return streams.get(request);
}
