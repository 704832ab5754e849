import type avro from 'avsc';

type AvroResolver = ReturnType<avro.Type['createResolver']>;
import { ContractError, ContractErrorCode } from './errors.js';
import { fingerprintHex } from './avro/crc64-avro.js';
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

  constructor(schemas: readonly PublishedSchema[]) {
    for (const schema of schemas) {
      this.byFingerprint.set(schema.fingerprint, schema);
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

  /** Resolver from a writer version to the newest version of its type; null when they are the same. */
  resolverFor(writer: PublishedSchema): AvroResolver | null {
    if (!this.resolvers.has(writer.fingerprint)) {
      const reader = this.latest(writer.eventType);
      this.resolvers.set(writer.fingerprint, reader === writer ? null : reader.type.createResolver(writer.type));
    }
    return this.resolvers.get(writer.fingerprint) ?? null;
  }
}
