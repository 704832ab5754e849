import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type avro from 'avsc';
import { ContractError, ContractErrorCode } from './errors.js';
import { exportFullSchema, parseSchema } from './avro/parse-schema.js';
import { fingerprintHex } from './avro/crc64-avro.js';
import { schemaFingerprint } from './avro/canonical-form.js';

/**
 * Published schema versions are immutable files `published/<Type>/v<N>.avsc` (full,
 * self-contained schemas with docs and defaults). `manifest.json` records each
 * version's fingerprint so an edit to a published file is detected.
 */
export interface PublishedSchema {
  eventType: string;
  version: number;
  fingerprint: bigint;
  type: avro.Type;
}

export type PublishedManifest = Record<string, Record<string, string>>;

const VERSION_FILE = /^v(\d+)\.avsc$/;

export function readManifest(publishedDir: string): PublishedManifest {
  const path = join(publishedDir, 'manifest.json');
  if (!existsSync(path)) return {};
  return JSON.parse(readFileSync(path, 'utf8')) as PublishedManifest;
}

export function readPublishedSchemas(publishedDir: string): PublishedSchema[] {
  if (!existsSync(publishedDir)) return [];
  const schemas: PublishedSchema[] = [];
  for (const eventType of readdirSync(publishedDir, { withFileTypes: true })) {
    if (!eventType.isDirectory()) continue;
    for (const file of readdirSync(join(publishedDir, eventType.name))) {
      const version = VERSION_FILE.exec(file)?.[1];
      if (version === undefined) continue;
      const path = join(publishedDir, eventType.name, file);
      let type: avro.Type;
      try {
        type = parseSchema(JSON.parse(readFileSync(path, 'utf8')) as avro.Schema);
      } catch (error) {
        throw new ContractError(
          ContractErrorCode.SchemaFile,
          `published schema ${path} is unreadable: ${(error as Error).message}`,
        );
      }
      schemas.push({ eventType: eventType.name, version: Number(version), fingerprint: schemaFingerprint(type), type });
    }
  }
  return schemas.sort((a, b) => a.eventType.localeCompare(b.eventType) || a.version - b.version);
}

export function writePublishedSchema(publishedDir: string, eventType: string, version: number, type: avro.Type): void {
  const dir = join(publishedDir, eventType);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `v${version}.avsc`), JSON.stringify(exportFullSchema(type), null, 2) + '\n');
  const manifest = readManifest(publishedDir);
  manifest[eventType] = { ...manifest[eventType], [String(version)]: fingerprintHex(schemaFingerprint(type)) };
  const sorted = Object.fromEntries(Object.entries(manifest).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(join(publishedDir, 'manifest.json'), JSON.stringify(sorted, null, 2) + '\n');
}
