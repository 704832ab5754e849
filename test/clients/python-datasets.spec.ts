import { createReadStream, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { detectFormat, readDataset } from '@evalvault/evaluation';
import { clientDirectory, python, repositoryRoot } from './python.js';

const DIRECTORY = join(repositoryRoot, 'examples', 'datasets');

type Case = Record<string, unknown>;

/** null and absent are the same to the platform (a CSV's empty cell, JSON's null); the wire names ground_truth. */
const wireCase = (testCase: Case): Case =>
  Object.fromEntries(
    Object.entries(testCase)
      .filter(([, value]) => value !== null && value !== undefined)
      .map(([key, value]) => [key === 'groundTruth' ? 'ground_truth' : key, value]),
  );

/** What the platform's reader makes of a file. */
async function casesOf(file: string): Promise<Case[]> {
  const cases: Case[] = [];
  for await (const row of readDataset(createReadStream(join(DIRECTORY, file)), detectFormat(file)))
    if (row.kind === 'case') cases.push(wireCase(row.testCase as unknown as Case));
  return cases;
}

/** The Python client reads dataset files itself (to send them inline): the same cases as the platform's reader. */
describe("the Python client's dataset files", () => {
  it('reads every example format as the platform does', async () => {
    const files = readdirSync(DIRECTORY).filter((file) => file.startsWith('help-desk'));
    // The module alone (it needs only the standard library), not the package with the generated client.
    const script = [
      'import importlib.util, json, sys',
      'spec = importlib.util.spec_from_file_location("datasets", sys.argv[1])',
      'datasets = importlib.util.module_from_spec(spec); spec.loader.exec_module(datasets)',
      'print(json.dumps({f: datasets.load_cases(f)[1] for f in sys.argv[2:]}))',
    ].join('\n');
    const module = join(clientDirectory, 'evalvault', 'datasets.py');
    const { stdout } = await python(['-c', script, module, ...files], { cwd: DIRECTORY });
    const read = JSON.parse(stdout) as Record<string, Case[]>;
    for (const file of files)
      expect({ file, cases: read[file]!.map(wireCase) }).toEqual({ file, cases: await casesOf(file) });
  });
});
