import { DatasetError } from './dataset-row.js';
import { detectFormat } from './detect-format.js';

describe('detectFormat', () => {
  it.each([
    ['cases.jsonl', 'jsonl'],
    ['dir.v2/cases.NDJSON', 'jsonl'],
    ['golden.json', 'json'],
    ['export.CSV', 'csv'],
    ['export.tsv', 'csv'],
  ])('reads %s as %s', (fileName, format) => {
    expect(detectFormat(fileName)).toBe(format);
  });

  it.each(['cases.txt', 'cases', 'cases.json.gz', 'x.__proto__'])(
    'refuses %s, naming the supported extensions',
    (fileName) => {
      expect(() => detectFormat(fileName)).toThrow(
        new DatasetError(
          'UNSUPPORTED_FORMAT',
          `cannot tell the format of "${fileName}": supported extensions are .jsonl, .ndjson, .json, .csv, .tsv`,
        ),
      );
    },
  );
});
