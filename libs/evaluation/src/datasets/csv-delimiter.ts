/** Delimiters a CSV header is searched for; spreadsheets in many locales export `;`, others tabs. */
const CANDIDATES = [',', ';', '\t'] as const;

/** A header line is short; past this much text without a newline, the delimiter is told from what came. */
const MAX_PEEK_CHARS = 64 * 1024;

/**
 * The delimiter a header line uses: the candidate it holds most often outside quotes, a comma
 * when none is more frequent. Column names never contain a delimiter, so counting is enough.
 */
export function delimiterOf(headerLine: string): string {
  const counts = new Map<string, number>(CANDIDATES.map((candidate) => [candidate, 0]));
  let quoted = false;
  for (const char of headerLine) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && counts.has(char)) counts.set(char, counts.get(char)! + 1);
  }
  let best = ',';
  for (const [candidate, count] of counts) if (count > counts.get(best)!) best = candidate;
  return best;
}

/**
 * Reads the text up to the end of its first non-blank line (the header), tells its delimiter,
 * and gives back the whole text, the part already read included.
 */
export async function withDetectedDelimiter(
  texts: AsyncIterable<string>,
): Promise<{ delimiter: string; texts: AsyncIterable<string> }> {
  const iterator = texts[Symbol.asyncIterator]();
  let head = '';
  let header: string | null = null;
  while (header === null) {
    const next = await iterator.next();
    if (next.done) break;
    head += next.value;
    header = firstLine(head);
  }
  const rest = async function* (): AsyncGenerator<string> {
    if (head !== '') yield head;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  };
  return { delimiter: delimiterOf(header ?? head), texts: rest() };
}

/** The first line holding more than whitespace, once it is complete (or the peek limit is reached). */
function firstLine(text: string): string | null {
  for (let start = 0, end = text.indexOf('\n'); end !== -1; start = end + 1, end = text.indexOf('\n', start)) {
    const line = text.slice(start, end);
    if (line.trim() !== '') return line;
  }
  return text.length > MAX_PEEK_CHARS ? text : null;
}
