import { context, propagation } from '@opentelemetry/api';
import { INTERNAL_IDENTITY_HEADER, type InternalIdentity, type InternalIdentitySigner } from './internal-identity.js';
import { errorFromProblem } from './problem-details.js';
import { ServiceClientError, ServiceClientErrorCode } from './service-client.errors.js';
import {
  INTERNAL_API_PREFIX,
  inputAsJsonText,
  type ByteStream,
  type OperationMap,
  type ServiceClient,
  type StreamingServiceClient,
  type StreamMap,
} from './service-client.port.js';

export interface HttpServiceClientOptions {
  /** The owning service's name: the audience its verifier accepts. */
  serviceName: string;
  /** Where its internal API listens, e.g. http://runs:8081 (no trailing path). */
  baseUrl: string;
  signer: InternalIdentitySigner;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Distributed mode: `POST {baseUrl}/internal/v1/{operation}` with a freshly signed identity and
 * the active trace context. Error answers become ServiceClientErrors with the owner's code and
 * status; an owner that cannot be reached or does not answer in time is UNAVAILABLE.
 */
export class HttpServiceClient<Ops extends OperationMap<Ops>, Streams extends StreamMap<Streams> = Record<never, never>>
  implements ServiceClient<Ops>, StreamingServiceClient<Streams>
{
  private readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: HttpServiceClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async call<K extends keyof Ops & string>(
    operation: K,
    input: Ops[K]['input'],
    identity: InternalIdentity,
  ): Promise<Ops[K]['output']> {
    const body = inputAsJsonText(operation, input);
    const headers = await this.headers(identity, 'application/json, application/problem+json');
    const { status, text } = await this.post(this.urlOf(operation), headers, body);
    if (status !== 200) throw errorFromProblem(status, text);
    return parseOutput(text, this.options.serviceName, operation) as Ops[K]['output'];
  }

  /**
   * A streamed operation: the deadline covers the owner's answer up to its headers only, so an
   * export of any size is read chunk by chunk as the caller consumes it, never buffered here.
   */
  async stream<K extends keyof Streams & string>(
    operation: K,
    input: Streams[K]['input'],
    identity: InternalIdentity,
  ): Promise<ByteStream> {
    const body = inputAsJsonText(operation, input);
    const headers = await this.headers(identity, '*/*');
    const aborter = new AbortController();
    const deadline = setTimeout(() => aborter.abort(new DOMException('timed out', 'TimeoutError')), this.timeoutMs);
    let response: Response;
    try {
      response = await fetch(this.urlOf(operation), { method: 'POST', headers, body, signal: aborter.signal });
    } catch (error) {
      throw new ServiceClientError(
        ServiceClientErrorCode.Unavailable,
        this.unavailableReason(aborter.signal.aborted ? aborter.signal.reason : error),
        { cause: error },
      );
    } finally {
      clearTimeout(deadline);
    }
    if (response.status !== 200 || !response.body) throw errorFromProblem(response.status, await response.text());
    return { contentType: response.headers.get('content-type') ?? 'application/octet-stream', body: response.body };
  }

  private urlOf(operation: string): string {
    return `${this.baseUrl}${INTERNAL_API_PREFIX}/${encodeURIComponent(operation)}`;
  }

  private async headers(identity: InternalIdentity, accept: string): Promise<Record<string, string>> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept,
      [INTERNAL_IDENTITY_HEADER]: await this.options.signer.sign(identity, this.options.serviceName),
    };
    propagation.inject(context.active(), headers);
    return headers;
  }

  /** Sends and reads the whole answer under one deadline: a body that stalls is as unavailable as a socket. */
  private async post(
    url: string,
    headers: Record<string, string>,
    body: string,
  ): Promise<{ status: number; text: string }> {
    try {
      const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
      return { status: response.status, text: await response.text() };
    } catch (error) {
      throw new ServiceClientError(ServiceClientErrorCode.Unavailable, this.unavailableReason(error), { cause: error });
    }
  }

  private unavailableReason(error: unknown): string {
    const name = this.options.serviceName;
    if ((error as Error | null)?.name === 'TimeoutError') return `${name} did not answer within ${this.timeoutMs} ms`;
    const cause = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
    return `${name} is unreachable${typeof cause === 'string' ? ` (${cause})` : ''}`;
  }
}

function parseOutput(text: string, serviceName: string, operation: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ServiceClientError(
      ServiceClientErrorCode.Internal,
      `${serviceName} answered "${operation}" with a body that is not JSON`,
    );
  }
}
