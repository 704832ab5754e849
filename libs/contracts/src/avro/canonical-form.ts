import avro from 'avsc';
import { crc64Avro } from './crc64-avro.js';

/**
 * Parsing Canonical Form of a schema (Avro specification, "Parsing Canonical Form for
 * Schemas"). avsc's default `schema()` already strips docs, defaults, aliases and
 * logical types, fully qualifies names and orders attributes as the specification
 * requires; the spec's own test vectors check this in canonical-form.spec.ts.
 */
export function parsingCanonicalForm(type: avro.Type): string {
  return JSON.stringify(type.schema());
}

export function schemaFingerprint(type: avro.Type): bigint {
  return crc64Avro(Buffer.from(parsingCanonicalForm(type), 'utf8'));
}
