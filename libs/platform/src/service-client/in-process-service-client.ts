import { isInternalIdentity, type InternalIdentity } from './internal-identity.js';
import { ServiceClientError, ServiceClientErrorCode } from './service-client.errors.js';
import {
  handlerFor,
  inputAsJsonText,
  toJsonText,
  type ByteStream,
  type OperationHandlers,
  type OperationMap,
  type ServiceClient,
  type StreamHandlers,
  type StreamingServiceClient,
  type StreamMap,
} from './service-client.port.js';

/**
 * Embedded mode: calls the owner's handler directly. Input and output are copied through JSON
 * and the identity rebuilt from its known fields, so neither side holds the other's mutable
 * objects and a handler sees exactly what it would over HTTP. Checks run in the internal API's
 * order (input, identity, operation) and failures carry the same codes.
 */
export class InProcessServiceClient<
  Ops extends OperationMap<Ops>,
  Streams extends StreamMap<Streams> = Record<never, never>,
> implements ServiceClient<Ops>, StreamingServiceClient<Streams>
{
  constructor(
    private readonly serviceName: string,
    private readonly handlers: OperationHandlers<Ops>,
    private readonly streams?: StreamHandlers<Streams>,
  ) {}

  /** A streamed operation (an export): the owner's chunks as bytes, pulled as the caller reads. */
  async stream<K extends keyof Streams & string>(
    operation: K,
    input: Streams[K]['input'],
    identity: InternalIdentity,
  ): Promise<ByteStream> {
    const inputCopy: unknown = JSON.parse(inputAsJsonText(operation, input));
    if (!isInternalIdentity(identity))
      throw new ServiceClientError(ServiceClientErrorCode.Unauthenticated, 'internal identity claims are malformed');
    const handler = this.streams && Object.hasOwn(this.streams, operation) ? this.streams[operation] : undefined;
    if (!handler)
      throw new ServiceClientError(
        ServiceClientErrorCode.NotFound,
        `${this.serviceName} has no streamed operation "${operation}"`,
      );
    try {
      const { contentType, body } = await handler(inputCopy as Streams[K]['input'], copyOfIdentity(identity));
      return { contentType, body: asBytes(body) };
    } catch (error) {
      if (error instanceof ServiceClientError) throw error;
      throw new ServiceClientError(ServiceClientErrorCode.Internal, `${this.serviceName} failed on "${operation}"`, {
        cause: error,
      });
    }
  }

  async call<K extends keyof Ops & string>(
    operation: K,
    input: Ops[K]['input'],
    identity: InternalIdentity,
  ): Promise<Ops[K]['output']> {
    return JSON.parse(await this.callJsonText(operation, input, identity)) as Ops[K]['output'];
  }

  /**
   * As `call`, answering the output's JSON text, the copy `call` parses: a caller that forwards the
   * answer as it is (the gateway's `GET …/runs/{id}`) skips parsing it and serialising it again.
   */
  async callJsonText<K extends keyof Ops & string>(
    operation: K,
    input: Ops[K]['input'],
    identity: InternalIdentity,
  ): Promise<string> {
    const inputCopy: unknown = JSON.parse(inputAsJsonText(operation, input));
    if (!isInternalIdentity(identity))
      throw new ServiceClientError(ServiceClientErrorCode.Unauthenticated, 'internal identity claims are malformed');
    const handler = handlerFor(this.handlers, operation);
    if (!handler)
      throw new ServiceClientError(
        ServiceClientErrorCode.NotFound,
        `${this.serviceName} has no operation "${operation}"`,
      );
    try {
      const output = await handler(inputCopy, copyOfIdentity(identity));
      return toJsonText(output);
    } catch (error) {
      if (error instanceof ServiceClientError) throw error;
      // Over HTTP the caller would see a bare 500; in-process the original stays reachable as the cause.
      throw new ServiceClientError(ServiceClientErrorCode.Internal, `${this.serviceName} failed on "${operation}"`, {
        cause: error,
      });
    }
  }
}

/** Only the fields a signed token carries, so extra properties never reach a handler in one mode only. */
function copyOfIdentity({ tenantId, projectId, roles, actor }: InternalIdentity): InternalIdentity {
  return {
    tenantId,
    projectId,
    roles: [...roles],
    actor: { subject: actor.subject, authMethod: actor.authMethod, apiKeyId: actor.apiKeyId },
  };
}

async function* asBytes(chunks: AsyncIterable<string | Uint8Array>): AsyncIterable<Uint8Array> {
  for await (const chunk of chunks) yield typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}
