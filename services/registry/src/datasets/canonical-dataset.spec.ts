import { createHash } from 'node:crypto';
import { RegistryErrorCode } from '../resource/resource.errors.js';
import { CanonicalDataset } from './canonical-dataset.js';

const limits = { maxBytes: 1024 * 1024, maxLineBytes: 10_000 };

async function canonical(
  text: string | string[],
  source: 'jsonl' | 'json' = 'jsonl',
  bounds = limits,
): Promise<{ text: string; cases: number }> {
  const dataset = new CanonicalDataset(bounds, source);
  let out = '';
  for await (const line of dataset.lines(
    (Array.isArray(text) ? text : [text])[Symbol.iterator]() as unknown as AsyncIterable<string>,
  ))
    out += line;
  return { text: out, cases: dataset.caseCount };
}
const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('canonical dataset', () => {
  it('writes each case as one canonical line: sorted keys, default ids, ground truth only when given', async () => {
    const { text, cases } = await canonical(
      '{"question":"Q?","contexts":["c"],"answer":"A","ground_truth":null}\n\n' +
        '{"id":7,"answer":"B","question":"R?","contexts":[],"metadata":{"z":1,"a":2}}\n',
    );
    expect(cases).toBe(2);
    expect(text).toBe(
      '{"answer":"A","contexts":["c"],"id":"case-1","question":"Q?"}\n' +
        '{"answer":"B","contexts":[],"id":"7","metadata":{"a":2,"z":1},"question":"R?"}\n',
    );
  });

  it('hashes the same cases the same however they were formatted or chunked', async () => {
    const compact = await canonical('{"id":"a","question":"Q","answer":"A","contexts":[]}');
    const spaced = await canonical(['{ "contexts": [ ],\t"answer": "A", ', '"question": "Q", "id": "a" }\r\n', '\n']);
    expect(sha(spaced.text)).toBe(sha(compact.text));
    const changed = await canonical('{"id":"a","question":"Q","answer":"A!","contexts":[]}');
    expect(sha(changed.text)).not.toBe(sha(compact.text));
  });

  it('refuses the upload naming every bad line', async () => {
    const lines = [
      '{"question":"Q","answer":"A","contexts":[]}',
      '{"question": "broken',
      '{"question":"Q","answer":"A","contexts":"x"}',
      '{"question":"Q","answer":"A","contexts":[],"groundTruth":"g"}',
    ];
    await expect(canonical(lines.join('\n'))).rejects.toMatchObject({
      code: RegistryErrorCode.InvalidInput,
      message: expect.stringMatching(
        new RegExp(
          '3 invalid case\\(s\\): line 2: invalid JSON.*' +
            'line 3: contexts must be an array.*line 4: unknown field groundTruth',
        ),
      ),
    });
  });

  it('names cases of a JSON body by their index', async () => {
    await expect(
      canonical('{"question":"Q","answer":"A","contexts":[]}\n{"question":"Q","answer":7,"contexts":[]}\n', 'json'),
    ).rejects.toThrow(/cases\[1\]: answer must be a non-empty string/);
  });

  it('refuses an empty dataset, an oversized upload and an overlong line', async () => {
    await expect(canonical('\n\n')).rejects.toThrow(/at least one case/);
    const big = `${'{"question":"Q","answer":"A","contexts":[]}\n'.repeat(100)}`;
    await expect(canonical(big, 'jsonl', { maxBytes: 1000, maxLineBytes: 10_000 })).rejects.toMatchObject({
      code: RegistryErrorCode.TooLarge,
    });
    await expect(
      canonical(`{"question":"${'x'.repeat(200)}"}\n`, 'jsonl', { maxBytes: 10_000, maxLineBytes: 100 }),
    ).rejects.toThrow(/line 1 is longer than/);
    await expect(
      canonical(
        ['{"question":"Q","answer":"A","contexts":[]}\n', `{"question":"${'x'.repeat(60)}`, `${'y'.repeat(60)}"}`],
        'jsonl',
        { maxBytes: 10_000, maxLineBytes: 100 },
      ),
    ).rejects.toThrow(/line 2 is longer than/);
  });
});
