import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  INTERNAL_IDENTITY_HEADER,
  PROBLEM_CONTENT_TYPE,
  ServiceClientError,
  ServiceClientErrorCode,
  type InternalIdentity,
  type InternalIdentityVerifier,
} from '@evalvault/platform';
import {
  DATASET_UPLOAD_PATH,
  NDJSON_MEDIA_TYPE,
  type DatasetUploadParams,
  type RegisteredVersion,
} from '@evalvault/service-apis';
import type { Logger } from 'pino';
import type { RegistryCommands } from '../resource/registry.commands.js';
import { asServiceClientError, translated } from './registry-errors.js';
import { commandContextOf } from './registry-internal-api.js';

export interface DatasetUploadApiOptions {
  commands: RegistryCommands;
  verifier: InternalIdentityVerifier;
  newId: () => string;
  logger: Pick<Logger, 'error'>;
}

type UploadQuery = { name?: string; description?: string; source?: string };

/** The streamed registration as a plain function: the route's body, and what the embedded platform calls in-process. */
export function datasetUploadHandler(commands: RegistryCommands, newId: () => string) {
  return (
    params: DatasetUploadParams,
    content: AsyncIterable<Uint8Array | string>,
    identity: InternalIdentity,
  ): Promise<RegisteredVersion> =>
    translated(() =>
      commands.registerDataset(
        { name: params.name, description: params.description, source: params.source === 'json' ? 'json' : 'jsonl' },
        content,
        commandContextOf(identity, newId),
      ),
    );
}

/**
 * `POST /internal/v1/uploads/datasets`: the one internal operation whose input is streamed
 * (dataset content can be hundreds of megabytes). The NDJSON body is handed to the command as
 * the request stream itself, so the registry holds a line at a time, never the upload. The
 * identity is checked before a byte of the body is read.
 */
export function registerDatasetUploadApi(fastify: FastifyInstance, options: DatasetUploadApiOptions): void {
  const identities = new WeakMap<FastifyRequest, InternalIdentity>();
  const upload = datasetUploadHandler(options.commands, options.newId);
  fastify.addContentTypeParser(NDJSON_MEDIA_TYPE, (_request, payload, done) => done(null, payload));
  fastify.route({
    method: 'POST',
    url: DATASET_UPLOAD_PATH,
    onRequest: async (request) => {
      const header = request.headers[INTERNAL_IDENTITY_HEADER];
      identities.set(request, await options.verifier.verify(Array.isArray(header) ? undefined : header));
    },
    errorHandler: (error: FastifyError, request, reply) => {
      // Refused before the whole body arrived: the connection cannot carry another request after it.
      if (!request.raw.complete) void reply.header('connection', 'close');
      sendProblem(reply, problemOf(error, request, options.logger));
    },
    handler: async (request, reply) => {
      const body = request.body as AsyncIterable<Buffer> | null;
      if (!body || typeof body[Symbol.asyncIterator] !== 'function') {
        throw new ServiceClientError(
          ServiceClientErrorCode.InvalidInput,
          `send the cases as ${NDJSON_MEDIA_TYPE}, one per line`,
        );
      }
      const { name, description, source } = request.query as UploadQuery;
      const params = {
        name: name ?? '',
        description: description ?? null,
        source: source === 'json' ? ('json' as const) : ('jsonl' as const),
      };
      const registered = await upload(params, body, identities.get(request)!);
      await reply.code(200).type('application/json; charset=utf-8').send(JSON.stringify(registered));
    },
  });
}

function problemOf(
  error: unknown,
  request: FastifyRequest,
  logger: DatasetUploadApiOptions['logger'],
): ServiceClientError {
  const translated = asServiceClientError(error);
  if (translated instanceof ServiceClientError) return translated;
  const status = (error as Partial<FastifyError>).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500)
    return new ServiceClientError(ServiceClientErrorCode.InvalidInput, (error as Error).message, { status });
  logger.error({ err: error, url: request.url }, 'dataset upload failed');
  return new ServiceClientError(ServiceClientErrorCode.Internal, 'internal error');
}

function sendProblem(reply: FastifyReply, error: ServiceClientError): void {
  const problem = {
    type: `urn:evalvault:problem:${error.code.toLowerCase().replaceAll('_', '-')}`,
    title: error.code === ServiceClientErrorCode.InvalidInput ? 'Invalid input' : error.code,
    status: error.status,
    detail: error.message,
    code: error.code,
    ...(error.foreign ? { foreign: true } : {}),
  };
  void reply.code(error.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}
