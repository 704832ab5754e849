import { existsSync, readFileSync } from 'node:fs';
import type avro from 'avsc';
import { fingerprintHex } from './avro/crc64-avro.js';
import { schemaFingerprint } from './avro/canonical-form.js';
import { contractsLayout } from './paths.js';
import { readManifest, readPublishedSchemas, type PublishedSchema } from './published-store.js';
import { loadSourceSchemas, type SourceEventSchema } from './schema-source.js';
import { generateEventTypes } from './type-generator.js';

/**
 * The rules `contracts:check` enforces. A schema change must be readable both ways
 * against every published version: new readers read old messages (backward) and old
 * readers read new messages (forward). Published files never change, every source
 * schema is published, and the generated TypeScript matches the schemas.
 */
export interface ContractsReport {
  problems: string[];
  /** Types whose source is compatible but not yet published (publish can fix these). */
  unpublished: SourceEventSchema[];
  published: PublishedSchema[];
}

function resolutionError(reader: avro.Type, writer: avro.Type): string | null {
  try {
    reader.createResolver(writer);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

export function compatibilityProblems(source: SourceEventSchema, versions: readonly PublishedSchema[]): string[] {
  const problems: string[] = [];
  for (const version of versions) {
    const backward = resolutionError(source.type, version.type);
    if (backward)
      problems.push(
        `${source.eventType}: not backward compatible with v${version.version} ` +
          `(new readers cannot read its messages): ${backward}`,
      );
    const forward = resolutionError(version.type, source.type);
    if (forward)
      problems.push(
        `${source.eventType}: not forward compatible with v${version.version} ` +
          `(its readers cannot read new messages): ${forward}`,
      );
  }
  return problems;
}

function manifestProblems(publishedDir: string, published: readonly PublishedSchema[]): string[] {
  const manifest = readManifest(publishedDir);
  const problems: string[] = [];
  for (const schema of published) {
    const recorded = manifest[schema.eventType]?.[String(schema.version)];
    const actual = fingerprintHex(schema.fingerprint);
    if (recorded === undefined)
      problems.push(`${schema.eventType} v${schema.version}: published file is not in manifest.json`);
    else if (recorded !== actual)
      problems.push(
        `${schema.eventType} v${schema.version}: published schema was edited ` +
          `(fingerprint ${actual}, manifest ${recorded}); published versions are immutable`,
      );
  }
  for (const [eventType, versions] of Object.entries(manifest)) {
    for (const version of Object.keys(versions)) {
      if (!published.some((s) => s.eventType === eventType && String(s.version) === version)) {
        problems.push(
          `${eventType} v${version}: listed in manifest.json but its file is missing; ` +
            'published versions are never deleted',
        );
      }
    }
  }
  return problems;
}

export function checkContracts(root?: string): ContractsReport {
  const layout = contractsLayout(root);
  const sources = loadSourceSchemas(layout.schemasDir);
  const published = readPublishedSchemas(layout.publishedDir);
  const problems = manifestProblems(layout.publishedDir, published);
  const unpublished: SourceEventSchema[] = [];

  for (const source of sources) {
    const versions = published.filter((schema) => schema.eventType === source.eventType);
    const incompatibilities = compatibilityProblems(source, versions);
    problems.push(...incompatibilities);
    const latest = versions.at(-1);
    if (incompatibilities.length === 0 && (!latest || latest.fingerprint !== schemaFingerprint(source.type))) {
      unpublished.push(source);
    }
  }
  for (const eventType of new Set(published.map((schema) => schema.eventType))) {
    if (!sources.some((source) => source.eventType === eventType)) {
      problems.push(
        `${eventType}: published but its schema was removed from schemas/events; published types are never removed`,
      );
    }
  }
  const generated = existsSync(layout.generatedTypesFile) ? readFileSync(layout.generatedTypesFile, 'utf8') : '';
  if (generated !== generateEventTypes(sources)) {
    problems.push(`${layout.generatedTypesFile} is out of date: run npm run contracts:generate`);
  }
  return { problems, unpublished, published };
}
