import { ContractError, type EvalVaultEvent } from '@evalvault/contracts';
import { BUS_HEADERS, type BusMessage } from './bus-message.js';

/** Why a message was set aside without reaching a handler, besides what the codec refuses. */
export enum PoisonCode {
  MessageTooLarge = 'MESSAGE_TOO_LARGE',
  ImpossibleEvent = 'IMPOSSIBLE_EVENT',
}

export class PoisonMessageError extends Error {
  constructor(
    readonly code: PoisonCode,
    message: string,
  ) {
    super(message);
    this.name = 'PoisonMessageError';
  }
}

/** Kafka's default largest record (message.max.bytes, about 1 MiB): nothing the relay writes is larger. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1_048_576;
/** What a dead letter keeps of an oversized message: enough to recognise it, small enough for any DLQ topic. */
export const KEPT_BYTES_OF_OVERSIZED = 64 * 1024;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** 9999-12-31T23:59:59.999Z: later than any event a clock could stamp. */
const LATEST_TIME = 253_402_300_799_999;

/** The code a dead letter is filed and counted under. */
export function deadLetterCode(error: Error): string {
  return error instanceof ContractError || error instanceof PoisonMessageError ? error.code : 'HANDLER_FAILED';
}

export function oversized(message: BusMessage, maxBytes: number): PoisonMessageError | null {
  if (message.value.length <= maxBytes) return null;
  return new PoisonMessageError(
    PoisonCode.MessageTooLarge,
    `message of ${message.value.length} bytes exceeds the consumer's limit of ${maxBytes} bytes`,
  );
}

/** The oversized message as its dead letter carries it: its head, and its size in a header. */
export function trimmedForDeadLetter(message: BusMessage): BusMessage {
  return {
    ...message,
    value: message.value.subarray(0, KEPT_BYTES_OF_OVERSIZED),
    headers: { ...message.headers, [BUS_HEADERS.originalSize]: String(message.value.length) },
  };
}

/**
 * Envelope values valid Avro can carry but no producer of ours writes: a handler would act on them
 * (file a run under an empty tenant, date it in the year 50 000) rather than fail, so they are refused here.
 */
export function impossibleEnvelope(event: EvalVaultEvent, message: BusMessage): PoisonMessageError | null {
  const problems: string[] = [];
  if (!UUID.test(event.eventId)) problems.push(`eventId ${JSON.stringify(event.eventId)} is not a UUID`);
  if (!Number.isSafeInteger(event.occurredAt) || event.occurredAt < 0 || event.occurredAt > LATEST_TIME)
    problems.push(`occurredAt ${event.occurredAt} is not a time between 1970 and 9999`);
  if (event.tenantId.trim() === '') problems.push('tenantId is empty');
  if (event.streamId.trim() === '') problems.push('streamId is empty');
  const announced = message.headers[BUS_HEADERS.eventType];
  if (announced && announced !== event.type)
    problems.push(`header ${BUS_HEADERS.eventType} says ${announced}, the body is ${event.type}`);
  if (problems.length === 0) return null;
  return new PoisonMessageError(PoisonCode.ImpossibleEvent, `impossible ${event.type} event: ${problems.join('; ')}`);
}
