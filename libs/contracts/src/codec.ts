import type avro from 'avsc';
import { ContractError, ContractErrorCode } from './errors.js';
import { SchemaCatalog } from './catalog.js';
import { frameSingleObject, unframeSingleObject } from './avro/single-object.js';
import { fingerprintHex } from './avro/crc64-avro.js';
import type { EvalVaultEvent } from './generated/events.js';

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

  decode(message: Uint8Array): EvalVaultEvent {
    const { fingerprint, body } = unframeSingleObject(message);
    const writer = this.catalog.writer(fingerprint);
    const reader = this.catalog.latest(writer.eventType);
    try {
      return reader.type.fromBuffer(body, this.catalog.resolverFor(writer) ?? undefined) as EvalVaultEvent;
    } catch (error) {
      throw new ContractError(
        ContractErrorCode.CorruptBody,
        `corrupt ${writer.eventType} v${writer.version} body ` +
          `(fingerprint ${fingerprintHex(fingerprint)}): ${(error as Error).message}`,
      );
    }
  }
}
