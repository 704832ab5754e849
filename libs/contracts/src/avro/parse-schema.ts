import avro from 'avsc';

/**
 * Keeps `timestamp-millis` as epoch milliseconds (a number) while preserving the
 * logicalType in exported schemas, so other languages see a timestamp.
 */
class TimestampMillis extends avro.types.LogicalType {
  override _fromValue(value: unknown): unknown {
    return value;
  }
  override _toValue(value: unknown): unknown {
    return value;
  }
  override _resolve(type: avro.Type): ((value: unknown) => unknown) | undefined {
    if (avro.Type.isType(type, 'long', 'logical:timestamp-millis')) return (value) => value;
    return undefined;
  }
}

export type NamedTypeRegistry = Record<string, avro.Type>;

export function parseSchema(schema: avro.Schema, registry: NamedTypeRegistry = {}): avro.Type {
  return avro.Type.forSchema(schema, {
    registry,
    logicalTypes: { 'timestamp-millis': TimestampMillis },
  });
}

/** The full schema of a type, self-contained, with docs and defaults: what we publish. */
export function exportFullSchema(type: avro.Type): avro.Schema {
  return type.schema({ exportAttrs: true }) as avro.Schema;
}
