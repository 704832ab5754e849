import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { crc64Avro, fingerprintHex, toSignedInt64 } from './crc64-avro.js';
import { parsingCanonicalForm, schemaFingerprint } from './canonical-form.js';

interface Vector {
  input: string;
  canonical: string;
  fingerprint: string;
}
const { vectors } = JSON.parse(
  readFileSync(new URL('../../test/avro-spec-fingerprints.json', import.meta.url), 'utf8'),
) as { vectors: Vector[] };

describe('Parsing Canonical Form and CRC-64-AVRO against the Avro specification test vectors', () => {
  it.each(vectors)('$input', ({ input, canonical, fingerprint }) => {
    const type = avro.Type.forSchema(JSON.parse(input) as avro.Schema);
    expect(parsingCanonicalForm(type)).toBe(canonical);
    expect(toSignedInt64(crc64Avro(Buffer.from(canonical, 'utf8')))).toBe(BigInt(fingerprint));
    expect(toSignedInt64(schemaFingerprint(type))).toBe(BigInt(fingerprint));
  });

  it('shows fingerprints as 16 hex digits', () => {
    expect(fingerprintHex(crc64Avro(Buffer.from('"null"')))).toBe('63dd24e7cc258f8a');
    expect(fingerprintHex(1n)).toBe('0000000000000001');
  });
});
