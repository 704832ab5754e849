import type avro from 'avsc';

type AvroResolver = ReturnType<avro.Type['createResolver']>;
import { ContractError, ContractErrorCode } from './errors.js';
import { fingerprintHex } from './avro/crc64-avro.js';
import { confluentSchemaId } from './avro/confluent-wire.js';
import { contractsLayout } from './paths.js';
import { readPublishedSchemas, type PublishedSchema } from './published-store.js';

let shipped: SchemaCatalog | undefined;

/**
 * Every published version of every event schema, keyed by fingerprint. The newest
 * version of a type is the one producers write and consumers read into; older
 * versions are resolved into it (Avro schema resolution), so old messages stay readable.
 */
export class SchemaCatalog {
  private readonly byFingerprint = new Map<bigint, PublishedSchema>();
  private readonly latestByType = new Map<string, PublishedSchema>();
  private readonly resolvers = new Map<bigint, AvroResolver | null>();
  private readonly bySchemaId = new Map<number, PublishedSchema>();

  constructor(private readonly schemas: readonly PublishedSchema[]) {
    for (const schema of schemas) {
      this.byFingerprint.set(schema.fingerprint, schema);
      this.addSchemaId(schema);
      const latest = this.latestByType.get(schema.eventType);
      if (!latest || latest.version < schema.version) this.latestByType.set(schema.eventType, schema);
    }
  }

  static load(publishedDir: string = contractsLayout().publishedDir): SchemaCatalog {
    return new SchemaCatalog(readPublishedSchemas(publishedDir));
  }

  /**
   * The schemas this package ships, read and parsed once per process: every codec of every
   * service in one process (the embedded platform has dozens) shares them. They cannot change
   * while it runs; `load` reads a directory afresh.
   */
  static shared(): SchemaCatalog {
    shipped ??= SchemaCatalog.load();
    return shipped;
  }

  /** A second schema whose Confluent id is taken would make ids ambiguous: refused at load, naming both. */
  private addSchemaId(schema: PublishedSchema): void {
    const id = confluentSchemaId(schema.fingerprint);
    const taken = this.bySchemaId.get(id);
    if (id === 0 || (taken && taken.fingerprint !== schema.fingerprint)) {
      throw new ContractError(
        ContractErrorCode.SchemaIdCollision,
        `${schema.eventType} v${schema.version} would have Confluent schema id ${id}, ` +
          (taken ? `already that of ${taken.eventType} v${taken.version}` : 'which is not a valid id'),
      );
    }
    this.bySchemaId.set(id, schema);
  }

  /** Every published version of every type, by type name then version. */
  all(): readonly PublishedSchema[] {
    return this.schemas;
  }

  eventTypes(): string[] {
    return [...this.latestByType.keys()].sort();
  }

  latest(eventType: string): PublishedSchema {
    const schema = this.latestByType.get(eventType);
    if (!schema) {
      throw new ContractError(ContractErrorCode.UnknownEventType, `no published schema for event type "${eventType}"`);
    }
    return schema;
  }

  writer(fingerprint: bigint): PublishedSchema {
    const schema = this.byFingerprint.get(fingerprint);
    if (!schema) {
      throw new ContractError(
        ContractErrorCode.UnknownFingerprint,
        `unknown schema fingerprint ${fingerprintHex(fingerprint)}: no published schema has it ` +
          '(is the producer newer than libs/contracts here?)',
      );
    }
    return schema;
  }

  /** The Confluent Schema Registry id of a published schema (see confluentSchemaId). */
  schemaId(schema: PublishedSchema): number {
    return confluentSchemaId(schema.fingerprint);
  }

  writerById(schemaId: number): PublishedSchema {
    const schema = this.bySchemaId.get(schemaId);
    if (!schema) {
      throw new ContractError(
        ContractErrorCode.UnknownSchemaId,
        `unknown Confluent schema id ${schemaId}: no published schema has it ` +
          '(is the producer newer than libs/contracts here, or not EvalVault?)',
      );
    }
    return schema;
  }

  /** Resolver from a writer version to the newest version of its type; null when they are the same. */
  resolverFor(writer: PublishedSchema): AvroResolver | null {
    if (!this.resolvers.has(writer.fingerprint)) {
      const reader = this.latest(writer.eventType);
      this.resolvers.set(writer.fingerprint, reader === writer ? null : reader.type.createResolver(writer.type));
    }
    return this.resolvers.get(writer.fingerprint) ?? null;
  }
}
