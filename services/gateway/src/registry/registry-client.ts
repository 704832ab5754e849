import { Readable } from 'node:stream';
import {
  INTERNAL_IDENTITY_HEADER,
  ServiceClientError,
  ServiceClientErrorCode,
  type InternalIdentity,
  type InternalIdentitySigner,
  type ServiceClient,
} from '@evalvault/platform';
import {
  DATASET_UPLOAD_PATH,
  NDJSON_MEDIA_TYPE,
  type DatasetUploadParams,
  type RegisteredVersion,
  type RegistryOperations,
} from '@evalvault/service-apis';
import { EdgeError } from '../http/index.js';

/** Dataset content travels as a stream, never as one JSON value. */
export interface DatasetUploader {
  uploadDataset(
    params: DatasetUploadParams,
    content: AsyncIterable<Uint8Array | string>,
    identity: InternalIdentity,
  ): Promise<RegisteredVersion>;
}

/** The gateway's view of the registry: its JSON operations plus the streamed dataset upload. */
export type RegistryClient = ServiceClient<RegistryOperations> & DatasetUploader;

export type DatasetUploadFunction = DatasetUploader['uploadDataset'];

/**
 * The upload refused at the gateway once it passes `maxBytes`: counting here stops a client
 * that streams without end before the registry spends more on it.
 */
export async function* limitedTo(
  content: AsyncIterable<Uint8Array | string>,
  maxBytes: number,
): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const piece of content) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
    total += chunk.byteLength;
    if (total > maxBytes)
      throw new EdgeError('PAYLOAD_TOO_LARGE', `the dataset is larger than the upload limit of ${maxBytes} bytes`);
    yield chunk;
  }
}

/**
 * Distributed mode: the JSON operations over the platform's HTTP client, the upload streamed to the
 * registry's upload route.
 */
export class HttpRegistryClient implements RegistryClient {
  private readonly baseUrl: string;

  constructor(
    private readonly operations: ServiceClient<RegistryOperations>,
    private readonly options: { baseUrl: string; signer: InternalIdentitySigner; maxUploadBytes: number },
  ) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  call<K extends keyof RegistryOperations & string>(
    operation: K,
    input: RegistryOperations[K]['input'],
    identity: InternalIdentity,
  ): Promise<RegistryOperations[K]['output']> {
    return this.operations.call(operation, input, identity);
  }

  async uploadDataset(
    params: DatasetUploadParams,
    content: AsyncIterable<Uint8Array | string>,
    identity: InternalIdentity,
  ): Promise<RegisteredVersion> {
    const query = new URLSearchParams({
      name: params.name,
      ...(params.description ? { description: params.description } : {}),
      source: params.source ?? 'jsonl',
    });
    // fetch reports a failing body as a network error; the limit's own error is what the client should hear.
    let refused: unknown = null;
    const body = Readable.from(
      failingWith(limitedTo(content, this.options.maxUploadBytes), (error) => {
        refused = error;
      }),
    );
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${DATASET_UPLOAD_PATH}?${query.toString()}`, {
        method: 'POST',
        headers: {
          'content-type': NDJSON_MEDIA_TYPE,
          accept: 'application/json',
          [INTERNAL_IDENTITY_HEADER]: await this.options.signer.sign(identity, 'registry'),
        },
        body: Readable.toWeb(body) as ReadableStream<Uint8Array>,
        duplex: 'half',
      } as RequestInit);
    } catch (error) {
      if (refused) throw refused;
      throw new ServiceClientError(ServiceClientErrorCode.Unavailable, 'registry is unreachable', { cause: error });
    }
    const text = await response.text();
    if (refused) throw refused;
    if (response.status === 200) return JSON.parse(text) as RegisteredVersion;
    throw errorOf(response.status, text);
  }
}

async function* failingWith<T>(source: AsyncIterable<T>, onError: (error: unknown) => void): AsyncGenerator<T> {
  try {
    yield* source;
  } catch (error) {
    onError(error);
    throw error;
  }
}

/** The registry's problem answer as the error the gateway's problem filter knows. */
function errorOf(status: number, text: string): Error {
  let problem: { code?: unknown; detail?: unknown; foreign?: unknown } = {};
  try {
    problem = JSON.parse(text) as typeof problem;
  } catch {
    /* not ours: judged by status below */
  }
  const detail = typeof problem.detail === 'string' ? problem.detail : `registry answered HTTP ${status}`;
  if (status === 413) return new EdgeError('PAYLOAD_TOO_LARGE', detail);
  const code =
    Object.values(ServiceClientErrorCode).find((known) => known === problem.code) ??
    (status >= 500 ? ServiceClientErrorCode.Unavailable : ServiceClientErrorCode.Internal);
  return new ServiceClientError(code, detail, { status, foreign: problem.foreign === true });
}

/** Embedded mode: the registry's own handlers, called in this process (the upload as the stream it is). */
export function inProcessRegistryClient(
  operations: ServiceClient<RegistryOperations>,
  upload: DatasetUploadFunction,
  maxUploadBytes: number,
): RegistryClient {
  return {
    call: (operation, input, identity) => operations.call(operation, input, identity),
    uploadDataset: (params, content, identity) => upload(params, limitedTo(content, maxUploadBytes), identity),
  };
}
