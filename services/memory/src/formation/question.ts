/** How formation describes a case: the class of its question, how many contexts it had, its key word. */

export type QuestionType = 'what' | 'how' | 'why' | 'when' | 'who' | 'where' | 'which' | 'yes_no' | 'other';
export type ContextsBucket = 'none' | 'one' | 'few' | 'many';

const WH: Record<string, QuestionType> = {
  what: 'what',
  how: 'how',
  why: 'why',
  when: 'when',
  who: 'who',
  whom: 'who',
  whose: 'who',
  where: 'where',
  which: 'which',
};

/** Auxiliaries a yes/no question starts with. */
const AUXILIARIES = new Set(
  'is are am was were do does did can could should will would shall may might must has have had'.split(' '),
);

const STOPWORDS = new Set([
  ...Object.keys(WH),
  ...AUXILIARIES,
  ...'the and for with from that this these those there their into about your you our not any all'.split(' '),
  ...'its they them then than long often much many some more most such also only very just like'.split(' '),
  ...'been being over under between'.split(' '),
]);

/** The class of the question's first word: a wh-word, yes_no (an auxiliary), or other. */
export function questionType(question: string): QuestionType {
  const first = /\p{L}+/u.exec(question.toLowerCase())?.[0] ?? '';
  return WH[first] ?? (AUXILIARIES.has(first) ? 'yes_no' : 'other');
}

/** none (0), one (1), few (2–4), many (5 or more). */
export function contextsBucket(count: number): ContextsBucket {
  if (count <= 0) return 'none';
  if (count === 1) return 'one';
  return count <= 4 ? 'few' : 'many';
}

/** The longest word of three letters or more that is not a stopword (ties: the first); `any` when none. */
export function topKeyword(question: string): string {
  let best = '';
  for (const word of question.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])
    if (word.length >= 3 && !STOPWORDS.has(word) && word.length > best.length) best = word;
  return best || 'any';
}

/** A behaviour's trigger: `<question type>:<top keyword>`. */
export function behaviourTrigger(question: string): string {
  return `${questionType(question)}:${topKeyword(question)}`;
}

/** A behaviour's action recipe from a case that went well: its contexts and its answer's length, by tens of words. */
export function behaviourAction(contexts: number, answer: string): string {
  const words = answer.split(/\s+/).filter(Boolean).length;
  const limit = Math.max(10, Math.ceil(words / 10) * 10);
  if (contexts === 0) return `answer without contexts, ≤ ${limit} words`;
  return `answer from ${contexts} context${contexts === 1 ? '' : 's'}, cite them, ≤ ${limit} words`;
}
