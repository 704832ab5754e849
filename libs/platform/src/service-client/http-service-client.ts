import { context, propagation } from '@opentelemetry/api';
import { INTERNAL_IDENTITY_HEADER, type InternalIdentity, type InternalIdentitySigner } from './internal-identity.js';
import { errorFromProblem } from './problem-details.js';
import { ServiceClientError, ServiceClientErrorCode } from './service-client.errors.js';
import { INTERNAL_API_PREFIX, inputAsJsonText, type OperationMap, type ServiceClient } from './service-client.port.js';

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
export class HttpServiceClient<Ops extends OperationMap<Ops>> implements ServiceClient<Ops> {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: HttpServiceClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async call<K extends keyof Ops & string>(operation: K, input: Ops[K]['input'], identity: InternalIdentity): Promise<Ops[K]['output']> {
    const body = inputAsJsonText(operation, input);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json, application/problem+json',
      [INTERNAL_IDENTITY_HEADER]: await this.options.signer.sign(identity, this.options.serviceName),
    };
    propagation.inject(context.active(), headers);
    const { status, text } = await this.post(`${this.baseUrl}${INTERNAL_API_PREFIX}/${encodeURIComponent(operation)}`, headers, body);
    if (status !== 200) throw errorFromProblem(status, text);
    return parseOutput(text, this.options.serviceName, operation) as Ops[K]['output'];
  }

  /** Sends and reads the whole answer under one deadline: a body that stalls is as unavailable as a socket. */
  private async post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
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
    throw new ServiceClientError(ServiceClientErrorCode.Internal, `${serviceName} answered "${operation}" with a body that is not JSON`);
  }
}
