import { defineMetric } from '../define-metric.js';
import { fmt, quote } from '../format.js';
import { extractClaims, verifyClaims } from './claims.js';
import { contextsBlock } from './prompt-parts.js';

/**
 * Ragas faithfulness: the judge splits the answer into claims, then checks each against the
 * retrieved contexts; score = supported claims / claims.
 * An answer without claims (a refusal, "I don't know") gets 1: it asserts nothing unsupported.
 * Ragas returns NaN there; a number is required here, and how useful such an answer is belongs to
 * answer relevancy, not to faithfulness.
 */
export const faithfulnessMetric = defineMetric({
  name: 'faithfulness',
  kind: 'llm',
  requires: ['contexts'],
  description: 'Share of the answer’s claims that the retrieved contexts support (LLM-judged, Ragas).',
  async compute(context) {
    const { question, answer } = context.testCase;
    const claims = await extractClaims(context, 'faithfulness.claims', { label: 'answer', text: answer }, question);
    if (claims.length === 0) {
      return {
        score: 1,
        explanation: 'Faithfulness 1.00: the answer makes no factual claim, so nothing in it is unsupported',
      };
    }
    const premise = { label: 'context', text: contextsBlock(context.contexts()) };
    const verdicts = await verifyClaims(context, 'faithfulness.verdicts', premise, claims);
    const supported = verdicts.filter((verdict) => verdict.supported).length;
    const score = supported / claims.length;
    const unsupported = verdicts.filter((verdict) => !verdict.supported).map((verdict) => quote(verdict.claim, 60));
    const unsupportedPart = unsupported.length === 0 ? '' : `; unsupported: ${unsupported.join(', ')}`;
    return {
      score,
      explanation:
        `Faithfulness ${fmt(score)}: ${supported} of ${claims.length} ` +
        `claims supported by the contexts${unsupportedPart}`,
    };
  },
});
