import { FACT_KINDS, MEMORY_EXPORT_FORMAT, type MemoryImportRequest, type MemoryTriple } from '@evalvault/service-apis';
import { invalidInput } from '../api/memory-errors.js';
import { optionalUnitScore } from '../projection/memory.queries.js';

/** The longest subject, predicate, object or deletion target accepted. */
export const MAX_TEXT = 500;
const MAX_IMPORT = 10_000;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const TRIPLE_FIELDS = new Set([
  'subject',
  'predicate',
  'object',
  'domain',
  'language',
  'kind',
  'status',
  'verificationScore',
  'verificationCount',
  'sources',
]);

/** Every triple well-formed, or the whole import refused (nothing stored). */
export function validImport(input: MemoryImportRequest): MemoryTriple[] {
  if (!isObject(input)) throw invalidInput('the import must be a JSON object');
  for (const key of Object.keys(input))
    if (key !== 'format' && key !== 'facts') throw invalidInput(`${key}: not a field of an import`);
  if (input.format !== undefined && input.format !== MEMORY_EXPORT_FORMAT)
    throw invalidInput(`format: ${MEMORY_EXPORT_FORMAT}`);
  if (!Array.isArray(input.facts) || input.facts.length === 0 || input.facts.length > MAX_IMPORT)
    throw invalidInput(`facts: an array of 1 to ${MAX_IMPORT} triples`);
  const problems: string[] = [];
  input.facts.forEach((triple: unknown, index) => {
    const at = `facts[${index}]`;
    if (!isObject(triple)) return problems.push(`${at}: an object with subject, predicate and object`);
    for (const key of Object.keys(triple))
      if (!TRIPLE_FIELDS.has(key)) problems.push(`${at}.${key}: not a triple field`);
    for (const field of ['subject', 'predicate', 'object']) {
      const value = triple[field];
      if (typeof value !== 'string' || value.trim().length === 0 || value.length > MAX_TEXT)
        problems.push(`${at}.${field}: text of 1 to ${MAX_TEXT} characters`);
    }
    for (const field of ['domain', 'language'])
      if (triple[field] !== undefined && (typeof triple[field] !== 'string' || (triple[field] as string).length > 200))
        problems.push(`${at}.${field}: text of at most 200 characters`);
    if (triple['kind'] !== undefined && !(FACT_KINDS as readonly unknown[]).includes(triple['kind']))
      problems.push(`${at}.kind: one of ${FACT_KINDS.join(', ')}`);
    try {
      optionalUnitScore(`${at}.verificationScore`, triple['verificationScore']);
    } catch (error) {
      problems.push((error as Error).message);
    }
    const sources = triple['sources'];
    if (
      sources !== undefined &&
      (!Array.isArray(sources) ||
        !sources.every(
          (s) =>
            isObject(s) && ['run', 'case', 'document'].includes(s['kind'] as string) && typeof s['id'] === 'string',
        ))
    )
      problems.push(`${at}.sources: an array of {kind: run|case|document, id}`);
    return undefined;
  });
  if (problems.length > 0) throw invalidInput(`malformed triples: ${problems.slice(0, 10).join('; ')}`, problems);
  return input.facts.map((triple) => ({
    ...triple,
    subject: triple.subject.trim(),
    predicate: triple.predicate.trim(),
    object: triple.object.trim(),
  }));
}
