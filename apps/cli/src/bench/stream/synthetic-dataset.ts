import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

/**
 * A large RAG dataset written straight to disk as JSONL: each case about 1.1 KB (a question, an
 * answer, three contexts of which one supports the answer, a ground truth), worded from a small
 * vocabulary by a seeded generator so every case differs and the metrics have real work. The file
 * is written a buffer of lines at a time, waiting on the stream's backpressure: the cases are
 * never held in memory, whatever their number.
 */
const WORDS = (
  'retriever generator document passage index embedding vector query answer context citation ' +
  'ranking chunk token model prompt latency recall precision evidence source claim summary ' +
  'pipeline cache batch score judge faithful relevant grounded corpus shard replica window'
).split(' ');

const LINES_PER_WRITE = 256;

/** Deterministic words for case `index`, part `salt`: the same file for the same arguments. */
function sentence(index: number, salt: number, words: number): string {
  let seed = (index * 2_654_435_761 + salt * 40_503 + 1) >>> 0;
  const out: string[] = [];
  for (let n = 0; n < words; n++) {
    seed = (Math.imul(seed, 1_664_525) + 1_013_904_223) >>> 0;
    out.push(WORDS[seed % WORDS.length]!);
  }
  return out.join(' ');
}

/** Case `index` as one JSONL line (about 1.1 KB with its newline). */
export function syntheticCaseLine(index: number): string {
  const fact = sentence(index, 1, 12);
  return `${JSON.stringify({
    id: `case-${index}`,
    question: `Which component handles step ${index} of the ${sentence(index, 2, 6)}?`,
    answer: `Step ${index}: the ${fact}, as the ${sentence(index, 3, 8)} states.`,
    contexts: [
      `Step ${index} is where the ${fact}. ${sentence(index, 4, 18)}.`,
      `${sentence(index, 5, 26)}.`,
      `Unrelated note ${index}: ${sentence(index, 6, 26)}.`,
    ],
    ground_truth: `In step ${index} the ${fact}.`,
  })}\n`;
}

/** Writes `cases` cases to `path`; resolves with the file's size in bytes. */
export async function writeSyntheticDataset(path: string, cases: number): Promise<number> {
  const out = createWriteStream(path);
  let bytes = 0;
  try {
    for (let from = 0; from < cases; from += LINES_PER_WRITE) {
      let chunk = '';
      for (let index = from; index < Math.min(cases, from + LINES_PER_WRITE); index++)
        chunk += syntheticCaseLine(index);
      bytes += Buffer.byteLength(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  return bytes;
}
