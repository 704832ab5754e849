import type { InternalIdentity } from './internal-identity.js';
import { ServiceClientError, ServiceClientErrorCode } from './service-client.errors.js';

/** One operation of an owning service: what it takes and what it answers (JSON values both). */
export interface OperationSpec {
  input: unknown;
  output: unknown;
}

/**
 * An owning service's operations, declared once as a map from operation name to its spec:
 *   type RunsOperations = { submitRun: { input: SubmitRunInput; output: SubmitRunOutput } }
 * The gateway's client and the owner's handlers are both typed from it, so they cannot drift.
 */
export type OperationMap<Ops> = { [K in keyof Ops]: OperationSpec };

/** The gateway's view of an owner: the same whether the owner runs in this process or over HTTP. */
export interface ServiceClient<Ops extends OperationMap<Ops>> {
  call<K extends keyof Ops & string>(
    operation: K,
    input: Ops[K]['input'],
    identity: InternalIdentity,
  ): Promise<Ops[K]['output']>;
  /**
   * Where a client has the answer as JSON text it made itself (in-process), the text: for a caller
   * that forwards the answer unchanged. Optional; absent, use `call`.
   */
  callJsonText?<K extends keyof Ops & string>(
    operation: K,
    input: Ops[K]['input'],
    identity: InternalIdentity,
  ): Promise<string>;
}

/** What the owner implements: one handler per operation, given the verified identity. */
export type OperationHandlers<Ops extends OperationMap<Ops>> = {
  [K in keyof Ops]: (input: Ops[K]['input'], identity: InternalIdentity) => Promise<Ops[K]['output']>;
};

/**
 * Operations answered as a stream of bytes (an export of any size) rather than one JSON value:
 * only the input is typed; the answer is bytes of the media type the owner declares.
 */
export type StreamMap<Streams> = { [K in keyof Streams]: { input: unknown } };

/** A streamed answer: chunks are read as the owner writes them, never collected whole. */
export interface ByteStream {
  contentType: string;
  body: AsyncIterable<Uint8Array>;
}

/** The gateway's view of an owner's streamed operations. */
export interface StreamingServiceClient<Streams extends StreamMap<Streams>> {
  stream<K extends keyof Streams & string>(
    operation: K,
    input: Streams[K]['input'],
    identity: InternalIdentity,
  ): Promise<ByteStream>;
}

/**
 * What the owner implements per streamed operation: resolve (or throw, for an answer with a
 * problem) before the first byte; the body is then pulled as the caller reads it.
 */
export type StreamHandlers<Streams extends StreamMap<Streams>> = {
  [K in keyof Streams]: (
    input: Streams[K]['input'],
    identity: InternalIdentity,
  ) => Promise<{ contentType: string; body: AsyncIterable<string | Uint8Array> }>;
};

/** Where an owner's internal API lives: `POST {prefix}/{operation}`. */
export const INTERNAL_API_PREFIX = '/internal/v1';

/** Names travel in URL paths; keeping them plain avoids any encoding ambiguity. */
export const OPERATION_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** The handler for `operation`, if the owner declared it (own keys only: never `constructor` & co). */
export function handlerFor<Ops extends OperationMap<Ops>>(
  handlers: OperationHandlers<Ops>,
  operation: string,
): ((input: unknown, identity: InternalIdentity) => Promise<unknown>) | undefined {
  if (!Object.hasOwn(handlers, operation)) return undefined;
  return (handlers as Record<string, (input: unknown, identity: InternalIdentity) => Promise<unknown>>)[operation];
}

/**
 * The JSON text a value travels as. `undefined` becomes `null` so an operation answering nothing
 * looks the same in-process and over HTTP.
 */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** The caller's input as JSON text; a value JSON cannot carry (a BigInt, a cycle) is the caller's mistake. */
export function inputAsJsonText(operation: string, input: unknown): string {
  try {
    return toJsonText(input);
  } catch (error) {
    throw new ServiceClientError(
      ServiceClientErrorCode.InvalidInput,
      `input of "${operation}" cannot be sent as JSON: ${(error as Error).message}`,
    );
  }
}
