import { ContractError, ContractErrorCode } from '../errors.js';

/**
 * Confluent Schema Registry's wire format: magic byte 0, the schema id as a 4-byte big-endian
 * integer, then the Avro binary body. The body is the same bytes single-object encoding carries,
 * so one framing becomes the other without decoding.
 */
export const CONFLUENT_MAGIC_BYTE = 0;
const HEADER_LENGTH = 5;

export function frameConfluent(schemaId: number, body: Uint8Array): Buffer {
  const header = Buffer.alloc(HEADER_LENGTH);
  header.writeUInt8(CONFLUENT_MAGIC_BYTE, 0);
  header.writeInt32BE(schemaId, 1);
  return Buffer.concat([header, body]);
}

export interface ConfluentFrame {
  schemaId: number;
  body: Buffer;
}

export function unframeConfluent(message: Uint8Array): ConfluentFrame {
  const buffer = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  if (buffer.length < HEADER_LENGTH || buffer[0] !== CONFLUENT_MAGIC_BYTE) {
    throw new ContractError(
      ContractErrorCode.NotConfluentFramed,
      `not a Confluent-framed message: expected magic byte 00 and ${HEADER_LENGTH} header bytes, ` +
        `got ${buffer.subarray(0, 1).toString('hex') || '(empty)'} in ${buffer.length} bytes`,
    );
  }
  return { schemaId: buffer.readInt32BE(1), body: buffer.subarray(HEADER_LENGTH) };
}

/**
 * The Confluent schema id of a published schema: the low 31 bits of its CRC-64-AVRO fingerprint
 * (a positive int32, as Confluent ids are). It is a function of the schema alone, so it is the
 * same in every deployment and release and never has to be assigned or stored: manifest.json
 * already records the fingerprint it comes from. The catalog refuses two schemas with one id.
 */
export function confluentSchemaId(fingerprint: bigint): number {
  return Number(fingerprint & 0x7fffffffn);
}
