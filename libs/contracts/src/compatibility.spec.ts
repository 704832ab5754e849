import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTRACTS_ROOT, contractsLayout } from './paths.js';
import { checkContracts } from './compatibility.js';
import { publishSchemas } from './publish.js';
import { loadSourceSchemas } from './schema-source.js';
import { generateEventTypes } from './type-generator.js';

/** A scratch copy of libs/contracts where a test may edit schemas freely. */
function scratchContracts(): string {
  const root = mkdtempSync(join(tmpdir(), 'contracts-'));
  for (const dir of ['schemas', 'published', 'src'])
    cpSync(join(CONTRACTS_ROOT, dir), join(root, dir), { recursive: true });
  return root;
}

function editPayload(
  root: string,
  eventType: string,
  edit: (schema: { fields: Record<string, unknown>[] }) => void,
): void {
  const file = join(root, 'schemas', 'events', `${eventType}.avsc`);
  const schema = JSON.parse(readFileSync(file, 'utf8')) as { fields: Record<string, unknown>[] };
  edit(schema);
  writeFileSync(file, JSON.stringify(schema));
}

function regenerateTypes(root: string): void {
  const layout = contractsLayout(root);
  writeFileSync(layout.generatedTypesFile, generateEventTypes(loadSourceSchemas(layout.schemasDir)));
}

describe('contracts:check', () => {
  it('passes on the contracts as committed', () => {
    const report = checkContracts();
    expect(report.problems).toEqual([]);
    expect(report.unpublished).toEqual([]);
    expect(report.published.length).toBeGreaterThanOrEqual(23);
  });

  it('accepts a new optional field with a default, and publishes it as the next version', () => {
    const root = scratchContracts();
    editPayload(root, 'RunCompleted', (s) => s.fields.push({ name: 'note', type: ['null', 'string'], default: null }));
    regenerateTypes(root);
    const before = checkContracts(root);
    expect(before.problems).toEqual([]);
    expect(before.unpublished.map((s) => s.eventType)).toEqual(['RunCompleted']);

    expect(publishSchemas(root).published).toEqual([{ eventType: 'RunCompleted', version: 2 }]);
    const after = checkContracts(root);
    expect(after.problems).toEqual([]);
    expect(after.unpublished).toEqual([]);
  });

  it('rejects a new field without a default as not backward compatible', () => {
    const root = scratchContracts();
    editPayload(root, 'RunCompleted', (s) => s.fields.push({ name: 'note', type: 'string' }));
    regenerateTypes(root);
    const report = checkContracts(root);
    expect(report.problems).toEqual([expect.stringMatching(/^RunCompleted: not backward compatible with v1/)]);
    expect(publishSchemas(root).refused).toHaveLength(1);
  });

  it('rejects removing a field without a default as not forward compatible', () => {
    const root = scratchContracts();
    editPayload(root, 'RunFailed', (s) => {
      s.fields = s.fields.filter((f) => f['name'] !== 'message');
    });
    regenerateTypes(root);
    expect(checkContracts(root).problems).toEqual([
      expect.stringMatching(/^RunFailed: not forward compatible with v1/),
      expect.stringMatching(/^RunFailed: not forward compatible with v2/),
    ]);
  });

  it('rejects changing a field type', () => {
    const root = scratchContracts();
    editPayload(root, 'CaseEvaluated', (s) => {
      s.fields.find((f) => f['name'] === 'caseIndex')!['type'] = 'string';
    });
    regenerateTypes(root);
    expect(checkContracts(root).problems.join('\n')).toMatch(
      /CaseEvaluated: not backward compatible with v1[\s\S]*not forward compatible/,
    );
  });

  it('detects an edited published version and stale generated types', () => {
    const root = scratchContracts();
    const published = join(root, 'published', 'RunCancelled', 'v1.avsc');
    writeFileSync(published, readFileSync(published, 'utf8').replace('"reason"', '"why"'));
    editPayload(root, 'RunCancelled', (s) => s.fields.push({ name: 'by', type: ['null', 'string'], default: null }));
    const problems = checkContracts(root).problems.join('\n');
    expect(problems).toMatch(/RunCancelled v1: published schema was edited/);
    expect(problems).toMatch(/events\.ts is out of date/);
  });
});
