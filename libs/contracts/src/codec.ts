import type avro from 'avsc';
import { ContractError, ContractErrorCode } from './errors.js';
import { SchemaCatalog } from './catalog.js';
import { frameSingleObject, unframeSingleObject } from './avro/single-object.js';
import { fingerprintHex } from './avro/crc64-avro.js';
import { CONFLUENT_MAGIC_BYTE, frameConfluent, unframeConfluent } from './avro/confluent-wire.js';
import type { PublishedSchema } from './published-store.js';
import type { EvalVaultEvent } from './generated/events.js';

/**
 * How a message's value is framed on Kafka: Avro single-object encoding (ours, the default) or
 * Confluent's wire format (magic byte 0 + schema id), for consumers with a Confluent deserializer.
 */
export const MESSAGE_FRAMINGS = ['single-object', 'confluent'] as const;
export type MessageFraming = (typeof MESSAGE_FRAMINGS)[number];

function validationProblems(type: avro.Type, value: unknown): string[] {
  const problems: string[] = [];
  type.isValid(value, {
    noUndeclaredFields: true,
    errorHook: (path: string[], fieldValue: unknown, fieldType: avro.Type) => {
      const where = path.length > 0 ? path.join('.') : '(root)';
      const expected = fieldType.typeName ?? 'a different shape';
      problems.push(`${where}: expected ${expected}, got ${JSON.stringify(fieldValue) ?? 'undefined'}`);
    },
  });
  return problems;
}

/**
 * Encodes events as Avro single-object messages with the newest published schema of
 * their type, and decodes any published version of any type back into the newest.
 */
export class EventCodec {
  constructor(private readonly catalog: SchemaCatalog = SchemaCatalog.shared()) {}

  encode(event: EvalVaultEvent): Buffer {
    const schema = this.catalog.latest(event.type);
    const value = { ...event, schemaVersion: schema.version };
    const problems = validationProblems(schema.type, value);
    if (problems.length > 0) {
      throw new ContractError(ContractErrorCode.InvalidEvent, `invalid ${event.type} event: ${problems.join('; ')}`);
    }
    return frameSingleObject(schema.fingerprint, schema.type.toBuffer(value));
  }

  /** Reads either framing (the first byte tells them apart), so our consumers read both. */
  decode(message: Uint8Array): EvalVaultEvent {
    const { writer, body } = this.unframe(message);
    const reader = this.catalog.latest(writer.eventType);
    try {
      return reader.type.fromBuffer(body, this.catalog.resolverFor(writer) ?? undefined) as EvalVaultEvent;
    } catch (error) {
      throw new ContractError(
        ContractErrorCode.CorruptBody,
        `corrupt ${writer.eventType} v${writer.version} body ` +
          `(fingerprint ${fingerprintHex(writer.fingerprint)}): ${(error as Error).message}`,
      );
    }
  }

  /**
   * A single-object message (what `encode` and the event store produce) in the given framing; the Avro
   * body is kept as it is, so an event stored with an older schema version keeps that version's id.
   */
  frame(singleObject: Buffer, framing: MessageFraming): Buffer {
    if (framing === 'single-object') return singleObject;
    const { fingerprint, body } = unframeSingleObject(singleObject);
    return frameConfluent(this.catalog.schemaId(this.catalog.writer(fingerprint)), body);
  }

  private unframe(message: Uint8Array): { writer: PublishedSchema; body: Buffer } {
    if (message.length > 0 && message[0] === CONFLUENT_MAGIC_BYTE) {
      const { schemaId, body } = unframeConfluent(message);
      return { writer: this.catalog.writerById(schemaId), body };
    }
    const { fingerprint, body } = unframeSingleObject(message);
    return { writer: this.catalog.writer(fingerprint), body };
  }
}
