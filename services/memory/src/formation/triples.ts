/** Triples from a case: its metadata.facts, or a small deterministic extractor over its answer. */

export interface Triple {
  subject: string;
  predicate: string;
  object: string;
}

export const MAX_TRIPLE_PART = 500;
const MAX_SUBJECT_WORDS = 8;
const VERBS = ['is', 'are', 'was', 'were', 'has', 'have', 'contains', 'includes', 'uses', 'requires', 'supports'];
/** Subject (lazy: the first verb splits), verb, object. */
const SENTENCE = new RegExp(`^(.+?)\\s+(${VERBS.join('|')})\\s+(.+)$`, 'i');
/** A subject that only points elsewhere makes no fact ("It is a city"). */
const PRONOUNS = new Set('it this that these those there they he she we i you which who what'.split(' '));

/** Whitespace collapsed, outer spaces and trailing punctuation trimmed (case kept). */
export function cleanPart(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\s.,;:!?]+$/u, '')
    .trim();
}

/**
 * "X is|are|was|were|has|have|contains|includes|uses|requires|supports Y" per sentence of the
 * answer, case kept, predicate lowercased. Sentences end at . ! ? followed by a space, or a line
 * break; questions, pronoun subjects, subjects of more than 8 words and overlong parts are skipped.
 */
export function extractTriples(answer: string): Triple[] {
  const triples: Triple[] = [];
  for (const raw of answer.split(/(?<=[.!?])\s+|\n+/)) {
    if (raw.trim().endsWith('?')) continue;
    const match = SENTENCE.exec(cleanPart(raw));
    if (!match) continue;
    const subject = cleanPart(match[1]!);
    const object = cleanPart(match[3]!);
    if (!subject || !object || subject.length > MAX_TRIPLE_PART || object.length > MAX_TRIPLE_PART) continue;
    if (subject.split(' ').length > MAX_SUBJECT_WORDS || PRONOUNS.has(subject.toLowerCase())) continue;
    triples.push({ subject, predicate: match[2]!.toLowerCase(), object });
  }
  return triples;
}

/**
 * `metadata.facts` when it is an array: its well-formed triples (three non-empty strings of at most
 * 500 characters each; others skipped). Null when there is no such array: use the extractor.
 */
export function metadataTriples(metadata: Record<string, unknown>): Triple[] | null {
  const facts = metadata['facts'];
  if (!Array.isArray(facts)) return null;
  const triples: Triple[] = [];
  for (const fact of facts) {
    if (typeof fact !== 'object' || fact === null) continue;
    const { subject, predicate, object } = fact as Record<string, unknown>;
    const parts = [subject, predicate, object].map((part) => (typeof part === 'string' ? cleanPart(part) : ''));
    if (parts.every((part) => part.length > 0 && part.length <= MAX_TRIPLE_PART))
      triples.push({ subject: parts[0]!, predicate: parts[1]!, object: parts[2]! });
  }
  return triples;
}

/** A case's metadata: the object it holds (metadataJson parsed), or empty when it has none or it is not an object. */
export function caseMetadata(metadata: Record<string, unknown> | string | null | undefined): Record<string, unknown> {
  let value: unknown = metadata;
  if (typeof metadata === 'string') {
    try {
      value = JSON.parse(metadata);
    } catch {
      return {};
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
