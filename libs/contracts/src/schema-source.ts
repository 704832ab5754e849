import { readFileSync, readdirSync } from 'node:fs';
import { join, basename } from 'node:path';
import type avro from 'avsc';
import { ContractError, ContractErrorCode } from './errors.js';
import { parseSchema, type NamedTypeRegistry } from './avro/parse-schema.js';

export const CONTRACTS_NAMESPACE = 'dev.evalvault.contracts';

/** One event type as authored in schemas/: envelope fields + `payload`. */
export interface SourceEventSchema {
  eventType: string;
  type: avro.Type;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ContractError(
      ContractErrorCode.SchemaFile,
      `cannot read schema file ${path}: ${(error as Error).message}`,
    );
  }
}

function sharedRegistry(schemasDir: string): NamedTypeRegistry {
  const registry: NamedTypeRegistry = {};
  for (const named of readJson(join(schemasDir, 'shared.avsc')) as avro.Schema[]) {
    parseSchema(named, registry);
  }
  return registry;
}

/** Reads every `schemas/events/<Type>.avsc` and composes it with the shared envelope. */
export function loadSourceSchemas(schemasDir: string): SourceEventSchema[] {
  const envelope = readJson(join(schemasDir, 'envelope.avsc')) as { fields: avro.Schema[] };
  const eventsDir = join(schemasDir, 'events');
  return readdirSync(eventsDir)
    .filter((file) => file.endsWith('.avsc'))
    .sort()
    .map((file) => {
      const eventType = basename(file, '.avsc');
      const payload = readJson(join(eventsDir, file)) as avro.Schema;
      const composed = {
        type: 'record',
        name: eventType,
        namespace: CONTRACTS_NAMESPACE,
        fields: [...envelope.fields, { name: 'payload', type: payload }],
      } as avro.Schema;
      return { eventType, type: parseSchema(composed, sharedRegistry(schemasDir)) };
    });
}
