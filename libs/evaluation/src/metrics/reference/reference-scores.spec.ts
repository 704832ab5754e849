import { readFileSync } from 'node:fs';
import { metricByName } from '../registry.js';
import { testCase } from '../testing/fixtures.js';

interface ReferenceDocument {
  references: Record<string, string>;
  cases: Array<{ id: string; answer: string; groundTruth: string; expected: Record<string, number> }>;
}

// Scored once by each metric's reference implementation (generate_reference_scores.py; README.md).
const document = JSON.parse(
  readFileSync(new URL('./reference-scores.json', import.meta.url), 'utf8'),
) as ReferenceDocument;

const METRICS = ['exact_match', 'token_f1', 'rouge_l', 'rouge_l_stemmed', 'bleu'] as const;

describe('deterministic metrics equal their reference implementations', () => {
  it('has at least 30 cases, each scored by every reference', () => {
    expect(document.cases.length).toBeGreaterThanOrEqual(30);
    for (const entry of document.cases) expect(Object.keys(entry.expected).sort()).toEqual([...METRICS].sort());
  });

  describe.each(METRICS.map((metric) => [metric, document.references[metric]!]))('%s against %s', (metric) => {
    it.each(document.cases.map((entry) => [entry.id, entry]))('%s', async (_id, entry) => {
      const { score } = await metricByName(metric).score(
        testCase({ answer: entry.answer, groundTruth: entry.groundTruth }),
      );
      expect(score).toBeCloseTo(entry.expected[metric]!, 12);
    });
  });
});
