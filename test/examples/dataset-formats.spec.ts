import { createReadStream, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { detectFormat, readDataset, type DatasetRow } from '@evalvault/evaluation';

const DIRECTORY = join(import.meta.dirname, '../../examples/datasets');

async function rowsOf(file: string): Promise<DatasetRow[]> {
  const rows: DatasetRow[] = [];
  for await (const row of readDataset(createReadStream(join(DIRECTORY, file)), detectFormat(file))) rows.push(row);
  return rows;
}

/** examples/datasets holds one dataset in every format the readers take: each must read as the same cases. */
describe('the example dataset in every format', () => {
  const files = readdirSync(DIRECTORY).filter((file) => file.startsWith('help-desk'));

  it('covers JSONL, both JSON shapes, and CSV with commas, semicolons and tabs', () => {
    expect(files.sort()).toEqual([
      'help-desk-semicolon.csv',
      'help-desk.body.json',
      'help-desk.csv',
      'help-desk.json',
      'help-desk.jsonl',
      'help-desk.tsv',
    ]);
  });

  it('reads the same valid cases from each file', async () => {
    const reference = (await rowsOf('help-desk.jsonl')).filter((row) => row.kind === 'case');
    expect(reference).toHaveLength(3);
    for (const file of files) {
      const cases = (await rowsOf(file)).filter((row) => row.kind !== 'header');
      expect({ file, cases: cases.map((row) => (row.kind === 'case' ? row.testCase : row)) }).toEqual({
        file,
        cases: reference.map((row) => row.testCase),
      });
    }
  });
});
