/**
 * CRC-64-AVRO (Rabin) fingerprint, as defined in the Avro specification, section
 * "Schema Fingerprints". avsc only offers MD5/SHA-256, and single-object encoding
 * requires this one.
 */
const EMPTY = 0xc15d213aa4d7a795n;
const MASK_64 = 0xffffffffffffffffn;

const TABLE: readonly bigint[] = Array.from({ length: 256 }, (_, index) => {
  let fp = BigInt(index);
  for (let bit = 0; bit < 8; bit++) {
    fp = (fp >> 1n) ^ (EMPTY & (-(fp & 1n) & MASK_64));
  }
  return fp;
});

/** The fingerprint as an unsigned 64-bit integer. */
export function crc64Avro(bytes: Uint8Array): bigint {
  let fp = EMPTY;
  for (const byte of bytes) {
    fp = (fp >> 8n) ^ TABLE[Number((fp ^ BigInt(byte)) & 0xffn)]!;
  }
  return fp;
}

/** The same value as Java's `long` (signed), the form the Avro test suite publishes. */
export function toSignedInt64(value: bigint): bigint {
  return BigInt.asIntN(64, value);
}

/** 16 lowercase hex digits, most significant first: how fingerprints are shown and keyed. */
export function fingerprintHex(value: bigint): string {
  return value.toString(16).padStart(16, '0');
}

/** The 8 bytes single-object encoding writes: little-endian. */
export function fingerprintBytesLE(value: bigint): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(value);
  return bytes;
}
