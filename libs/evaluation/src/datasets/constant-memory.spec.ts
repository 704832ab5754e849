import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { readDataset } from './read-dataset.js';

const CASES = 200_000;
const CASES_PER_CHUNK = 100;
const SAMPLE_EVERY = 25_000;

// A forced collection before each sample makes the figure the memory the reader retains,
// not garbage that has yet to be collected; that is what keeps this test from being flaky.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

function retainedHeap(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

function caseLine(i: number): string {
  const filler = 'lorem ipsum dolor sit amet '.repeat(4);
  return (
    JSON.stringify({
      id: `c${i}`,
      question: `Question ${i}: ${filler}`,
      answer: `Answer ${i}: ${filler}`,
      contexts: [`First context of ${i}: ${filler}`, `Second context of ${i}: ${filler}`],
      ground_truth: `Truth ${i}`,
    }) + '\n'
  );
}

/** ~100 MB of JSONL made chunk by chunk, so the input itself never sits in memory. */
async function* generatedDataset(counter: { bytes: number }): AsyncGenerator<Buffer> {
  for (let start = 0; start < CASES; start += CASES_PER_CHUNK) {
    let text = '';
    for (let i = start; i < start + CASES_PER_CHUNK; i++) text += caseLine(i);
    const chunk = Buffer.from(text);
    counter.bytes += chunk.length;
    yield chunk;
  }
}

describe('readDataset memory', () => {
  it('reads a 200k-case JSONL stream in memory well below its size', async () => {
    const input = { bytes: 0 };
    const baseline = retainedHeap();
    let peak = baseline;
    let cases = 0;
    for await (const row of readDataset(generatedDataset(input), 'jsonl')) {
      if (row.kind === 'case') cases += 1;
      if (cases % SAMPLE_EVERY === 0) peak = Math.max(peak, retainedHeap());
    }
    const growth = peak - baseline;
    const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;
    console.info(`read ${cases} cases from ${mb(input.bytes)} of JSONL; retained heap growth ${mb(growth)}`);

    expect(cases).toBe(CASES);
    expect(input.bytes).toBeGreaterThan(90 * 2 ** 20);
    // Loose on purpose: the set of case ids (for duplicate detection) grows with the case
    // count; holding the cases or the input would mean growth of 100 MB and more.
    expect(growth).toBeLessThan(50 * 2 ** 20);
  });
});
