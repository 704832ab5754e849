import type avro from 'avsc';
import { exportFullSchema } from './avro/parse-schema.js';
import type { SourceEventSchema } from './schema-source.js';

/**
 * Writes the TypeScript types of src/generated/events.ts from the Avro schemas, so the
 * schemas stay the single source of truth (contracts:check fails when the file drifts).
 */
type SchemaNode = string | SchemaNode[] | { [key: string]: unknown };

const PRIMITIVES: Record<string, string> = {
  null: 'null',
  boolean: 'boolean',
  int: 'number',
  long: 'number',
  float: 'number',
  double: 'number',
  bytes: 'Buffer',
  string: 'string',
};

class Declarations {
  private readonly declared = new Map<string, string>();

  shortName(fullName: string): string {
    return fullName.split('.').pop()!;
  }

  /** Reserves the name first, so a recursive reference finds it declared. */
  declare(name: string, text: string): void {
    this.declared.set(name, text);
  }

  has(name: string): boolean {
    return this.declared.has(name);
  }

  render(): string {
    return [...this.declared.values()].join('\n\n');
  }
}

function docComment(doc: unknown, indent: string): string {
  return typeof doc === 'string' ? `${indent}/** ${doc} */\n` : '';
}

function tsType(node: SchemaNode, decls: Declarations, envelopeFields: Set<string>): string {
  if (typeof node === 'string') return PRIMITIVES[node] ?? decls.shortName(node);
  if (Array.isArray(node)) return node.map((member) => tsType(member, decls, envelopeFields)).join(' | ');
  const kind = node['type'] as SchemaNode;
  switch (kind) {
    case 'record':
      return declareRecord(node, decls, envelopeFields);
    case 'enum': {
      const name = decls.shortName(node['name'] as string);
      if (!decls.has(name))
        decls.declare(name, `export type ${name} = ${(node['symbols'] as string[]).map((s) => `'${s}'`).join(' | ')};`);
      return name;
    }
    case 'array': {
      const items = tsType(node['items'] as SchemaNode, decls, envelopeFields);
      return items.includes(' ') ? `Array<${items}>` : `${items}[]`;
    }
    case 'map':
      return `Record<string, ${tsType(node['values'] as SchemaNode, decls, envelopeFields)}>`;
    case 'fixed':
      return 'Buffer';
    default:
      return tsType(kind, decls, envelopeFields);
  }
}

function declareRecord(node: { [key: string]: unknown }, decls: Declarations, envelopeFields: Set<string>): string {
  const name = decls.shortName(node['name'] as string);
  if (decls.has(name)) return name;
  decls.declare(name, '');
  const isEvent = (node['fields'] as { name: string }[]).some((field) => field.name === 'payload');
  const fields = (node['fields'] as { name: string; type: SchemaNode; doc?: string }[])
    .filter((field) => !(isEvent && envelopeFields.has(field.name)))
    .map((field) => `${docComment(field.doc, '  ')}  ${field.name}: ${tsType(field.type, decls, envelopeFields)};`);
  const heritage = isEvent ? ` extends EventEnvelope<'${name}'>` : '';
  const body = `${docComment(node['doc'], '')}export interface ${name}${heritage} {\n${fields.join('\n')}\n}`;
  decls.declare(name, body);
  return name;
}

export function generateEventTypes(sources: readonly SourceEventSchema[]): string {
  const decls = new Declarations();
  const first = sources[0];
  if (!first) throw new Error('no event schemas found');
  const envelopeFields = new Set(
    (exportFullSchema(first.type) as { fields: { name: string }[] }).fields
      .map((f) => f.name)
      .filter((n) => n !== 'payload'),
  );
  const envelope = renderEnvelope(first.type, decls, envelopeFields);
  for (const source of sources) tsType(exportFullSchema(source.type) as SchemaNode, decls, envelopeFields);
  const names = sources.map((s) => s.eventType);
  return [
    '// Generated from libs/contracts/schemas by `npm run contracts:generate`. Do not edit.',
    '/* eslint-disable */',
    '',
    envelope,
    '',
    decls.render(),
    '',
    `export const EVENT_TYPES = [\n${names.map((n) => `  '${n}',`).join('\n')}\n] as const;`,
    '',
    'export type EventType = (typeof EVENT_TYPES)[number];',
    '',
    `export type EvalVaultEvent =\n${names.map((n) => `  | ${n}`).join('\n')};`,
    '',
    'export type EventOfType<T extends EventType> = Extract<EvalVaultEvent, { type: T }>;',
    '',
  ].join('\n');
}

function renderEnvelope(type: avro.Type, decls: Declarations, envelopeFields: Set<string>): string {
  const fields = (exportFullSchema(type) as { fields: { name: string; type: SchemaNode; doc?: string }[] }).fields
    .filter((field) => envelopeFields.has(field.name))
    .map((field) => {
      const fieldType = field.name === 'type' ? 'T' : tsType(field.type, decls, envelopeFields);
      return `${docComment(field.doc, '  ')}  ${field.name}: ${fieldType};`;
    });
  return (
    '/** Fields every event starts with (schemas/envelope.avsc). */\n' +
    `export interface EventEnvelope<T extends string = string> {\n${fields.join('\n')}\n}`
  );
}
