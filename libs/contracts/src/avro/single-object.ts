import { ContractError, ContractErrorCode } from '../errors.js';
import { fingerprintBytesLE } from './crc64-avro.js';

/** Avro single-object encoding: `C3 01`, 8-byte little-endian CRC-64-AVRO fingerprint, body. */
export const SINGLE_OBJECT_MARKER = Buffer.from([0xc3, 0x01]);
const HEADER_LENGTH = SINGLE_OBJECT_MARKER.length + 8;

export function frameSingleObject(fingerprint: bigint, body: Buffer): Buffer {
  return Buffer.concat([SINGLE_OBJECT_MARKER, fingerprintBytesLE(fingerprint), body]);
}

export interface SingleObjectFrame {
  fingerprint: bigint;
  body: Buffer;
}

export function unframeSingleObject(message: Uint8Array): SingleObjectFrame {
  const buffer = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  if (buffer.length < HEADER_LENGTH || buffer[0] !== 0xc3 || buffer[1] !== 0x01) {
    const head = buffer.subarray(0, 2).toString('hex') || '(empty)';
    throw new ContractError(
      ContractErrorCode.NotSingleObject,
      `not an Avro single-object message: expected marker c301 and ${HEADER_LENGTH} header bytes, ` +
        `got ${head} in ${buffer.length} bytes`,
    );
  }
  return {
    fingerprint: buffer.readBigUInt64LE(SINGLE_OBJECT_MARKER.length),
    body: buffer.subarray(HEADER_LENGTH),
  };
}
