import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from '../errors.js';
import { checkSubmittable, loadDatasetFile } from './load-dataset.js';

const dir = mkdtempSync(join(tmpdir(), 'evalvault-cli-datasets-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const good = (id: string) =>
  JSON.stringify({ id, question: `Q ${id}?`, answer: `A ${id}`, contexts: [`C ${id}`], ground_truth: `A ${id}` });

async function refusal(path: string): Promise<CliError> {
  const dataset = await loadDatasetFile(path);
  try {
    checkSubmittable(dataset, false);
  } catch (error) {
    return error as CliError;
  }
  throw new Error('the dataset was accepted');
}

describe('dataset files', () => {
  const jsonl = file(
    'qa.jsonl',
    [
      good('a'),
      '{"question": "broken',
      JSON.stringify({ id: 'b', answer: 'x', contexts: [] }),
      '',
      good('c'),
      JSON.stringify({ id: 'd', question: 'Q', answer: 'A', contexts: 'one' }),
    ].join('\n'),
  );

  it('keeps every valid case and every bad row with its 1-based line (blank lines count) and reason', async () => {
    const dataset = await loadDatasetFile(jsonl);
    expect(dataset.name).toBe('qa');
    expect(dataset.cases.map((c) => c.id)).toEqual(['a', 'c']);
    expect(dataset.cases[0]).toEqual({
      id: 'a',
      question: 'Q a?',
      answer: 'A a',
      contexts: ['C a'],
      ground_truth: 'A a',
    });
    expect(dataset.invalid.map((row) => [row.line, row.errorCode])).toEqual([
      [2, 'INVALID_JSON'],
      [3, 'MISSING_FIELD'],
      [6, 'INVALID_FIELD'],
    ]);
  });

  it('refuses a dataset with bad rows, naming each line with its reason, and suggests --skip-invalid', async () => {
    const error = await refusal(jsonl);
    expect(error.kind).toBe('dataset');
    expect(error.message).toBe(
      `${jsonl}: 3 invalid rows (lines 2, 3, 6); fix them or pass --skip-invalid to submit the valid rows`,
    );
    expect(error.details).toEqual([
      expect.stringMatching(new RegExp(`^${jsonl}:2: invalid JSON: .* \\[INVALID_JSON\\]$`)),
      `${jsonl}:3: question is required [MISSING_FIELD]`,
      `${jsonl}:6: contexts must be an array of strings, got string [INVALID_FIELD]`,
    ]);
  });

  it('accepts the valid rows when invalid ones are skipped, but never an empty dataset', async () => {
    expect(() =>
      checkSubmittable(
        {
          path: 'x',
          name: 'x',
          format: 'jsonl',
          cases: [{ id: 'a', question: 'q', answer: 'a', contexts: [], ground_truth: null }],
          invalid: [
            { kind: 'invalid', index: 1, line: 2, caseId: null, errorCode: 'INVALID_JSON', reason: 'line 2: bad' },
          ],
        },
        true,
      ),
    ).not.toThrow();
    const onlyBad = await loadDatasetFile(file('bad.jsonl', '{\n'));
    expect(() => checkSubmittable(onlyBad, true)).toThrow(/no valid case/);
  });

  it('reads CSV (contexts as a JSON list) and JSON (named by its header) with the same rules', async () => {
    const csv = await loadDatasetFile(
      file('qa.csv', 'id,question,answer,contexts,ground_truth\nx,Q?,A,"[""C""]",A\ny,Q?,A\n'),
    );
    expect(csv.cases.map((c) => c.id)).toEqual(['x']);
    expect(csv.invalid.map((row) => [row.line, row.errorCode])).toEqual([[3, 'FIELD_COUNT_MISMATCH']]);
    const json = await loadDatasetFile(
      file(
        'qa.json',
        `{"name": "faq", "test_cases": [${good('j1')},\n{"id": "j2", "question": 5, "answer": "A", "contexts": []}]}`,
      ),
    );
    expect(json.name).toBe('faq');
    expect(json.cases.map((c) => c.id)).toEqual(['j1']);
    expect(json.invalid.map((row) => row.line)).toEqual([2]);
  });

  it('names a dataset after its folder when the file is called dataset.*; refuses what it cannot read', async () => {
    const folder = mkdtempSync(join(dir, 'support-bot-'));
    writeFileSync(join(folder, 'dataset.jsonl'), good('a'));
    expect((await loadDatasetFile(join(folder, 'dataset.jsonl'))).name).toMatch(/^support-bot-/);
    await expect(loadDatasetFile(join(dir, 'missing.jsonl'))).rejects.toThrow(/missing.jsonl: no such file/);
    await expect(loadDatasetFile(file('qa.txt', 'x'))).rejects.toMatchObject({
      kind: 'usage',
      message: expect.stringContaining('supported extensions'),
    });
  });
});
