import { SchemaCatalog } from './catalog.js';
import { exportFullSchema } from './avro/parse-schema.js';
import type { PublishedSchema } from './published-store.js';

/** Confluent's error body: its own numeric code (e.g. 40401) and a message. */
export interface ConfluentError {
  error_code: number;
  message: string;
}

export type RegistryAnswer<T> = { status: 200; body: T } | { status: 404 | 422; body: ConfluentError };

export interface SubjectVersion {
  subject: string;
  version: number;
  id: number;
  schema: string;
}

const MAX_VERSION = 2 ** 31 - 1;

/**
 * Subject naming: RecordNameStrategy, the subject is the record's full name
 * (`dev.evalvault.contracts.RunStarted`), as @kafkajs/confluent-schema-registry names a record's
 * subject by default (namespace + '.' + name). One topic carries several event types, which
 * TopicNameStrategy (`<topic>-value`, one evolving schema per topic) cannot describe; a decoder
 * needs only the id in the message, whatever the strategy.
 */
export function confluentSubject(schema: PublishedSchema): string {
  return schema.type.name ?? schema.eventType;
}

/**
 * A read-only Confluent Schema Registry over the published schemas: the answers (status and body,
 * error codes as Confluent's) of its GET routes, free of any HTTP framework.
 */
export class ConfluentRegistryView {
  private readonly bySubject = new Map<string, PublishedSchema[]>();
  private readonly byId = new Map<string, PublishedSchema>();

  constructor(private readonly catalog: SchemaCatalog = SchemaCatalog.shared()) {
    for (const schema of catalog.all()) {
      this.byId.set(String(catalog.schemaId(schema)), schema);
      const versions = this.bySubject.get(confluentSubject(schema)) ?? [];
      versions.push(schema);
      this.bySubject.set(confluentSubject(schema), versions);
    }
    for (const versions of this.bySubject.values()) versions.sort((a, b) => a.version - b.version);
  }

  subjects(): RegistryAnswer<string[]> {
    return ok([...this.bySubject.keys()].sort());
  }

  versions(subject: string): RegistryAnswer<number[]> {
    const versions = this.bySubject.get(subject);
    if (!versions) return subjectNotFound(subject);
    return ok(versions.map((schema) => schema.version));
  }

  /** `version`: a number from 1, or `latest` (or -1, which Confluent also reads as latest). */
  version(subject: string, version: string): RegistryAnswer<SubjectVersion> {
    const wanted = version === 'latest' || version === '-1' ? 'latest' : Number(version);
    if (wanted !== 'latest' && (!/^\d+$/.test(version) || wanted < 1 || wanted > MAX_VERSION)) {
      return failure(
        422,
        42202,
        `The specified version '${version}' is not a valid version id. ` +
          'Allowed values are between [1, 2^31-1] and the string "latest"',
      );
    }
    const versions = this.bySubject.get(subject);
    if (!versions) return subjectNotFound(subject);
    const schema = wanted === 'latest' ? versions.at(-1) : versions.find((found) => found.version === wanted);
    if (!schema) return failure(404, 40402, `Version ${version} not found.`);
    return ok({ subject, version: schema.version, id: this.catalog.schemaId(schema), schema: schemaText(schema) });
  }

  schemaById(id: string): RegistryAnswer<{ schema: string }> {
    const schema = this.byId.get(id);
    if (!schema) return failure(404, 40403, `Schema ${id} not found`);
    return ok({ schema: schemaText(schema) });
  }
}

/** The full published schema (docs, defaults, logical types), as a JSON string like Confluent's. */
function schemaText(schema: PublishedSchema): string {
  return JSON.stringify(exportFullSchema(schema.type));
}

function ok<T>(body: T): RegistryAnswer<T> {
  return { status: 200, body };
}

function subjectNotFound(subject: string): RegistryAnswer<never> {
  return failure(404, 40401, `Subject '${subject}' not found.`);
}

function failure(status: 404 | 422, code: number, message: string): RegistryAnswer<never> {
  return { status, body: { error_code: code, message } };
}
