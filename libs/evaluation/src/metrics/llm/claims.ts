import type { MetricContext } from '../metric.js';
import { askJudge, optionalText } from './judge-reply.js';
import { numberedList } from './prompt-parts.js';

/** A text to decompose or to verify against, with the name the prompt calls it by. */
export interface LabelledText {
  label: string;
  text: string;
}

export interface ClaimVerdict {
  claim: string;
  supported: boolean;
  reason: string;
}

/**
 * Ragas' statement generation: the judge breaks a text into standalone claims (pronouns resolved),
 * the unit that faithfulness and factual correctness count. The question, when given, only helps
 * to read a terse text ("alcohol" → "Cadmium chloride is slightly soluble in alcohol.").
 */
export async function extractClaims(
  context: MetricContext,
  purpose: string,
  source: LabelledText,
  question?: string,
): Promise<string[]> {
  const questionHint =
    question === undefined
      ? []
      : [`Use the question only to understand the ${source.label}; do not add claims of its own.`];
  const questionLine = question === undefined ? [] : [`Question: ${question}`];
  const prompt = [
    `Break the ${source.label} below into standalone factual claims. Each claim is one short, self-contained statement`,
    'that can be checked on its own: replace pronouns by what they refer to and keep numbers, dates and qualifiers.',
    ...questionHint,
    `If the ${source.label} makes no factual claim (for example it declines to answer), return an empty list.`,
    '',
    ...questionLine,
    `${capitalise(source.label)}: ${source.text}`,
    '',
    'Reply with JSON: {"claims": ["<claim>", ...]}',
  ];
  return (await askJudge(context, purpose, prompt.join('\n'))).strings('claims');
}

/**
 * Ragas' NLI step: for each claim, can it be inferred from the premise? The judge must return one
 * verdict per claim in order; a verdict list of another length is JUDGE_BAD_OUTPUT, never a guess.
 */
export async function verifyClaims(
  context: MetricContext,
  purpose: string,
  premise: LabelledText,
  claims: readonly string[],
): Promise<ClaimVerdict[]> {
  if (claims.length === 0) return [];
  const prompt = [
    `For each numbered claim, decide whether it can be directly inferred from the ${premise.label} below.`,
    `Verdict 1 when the ${premise.label} states or clearly implies the claim; 0 when it contradicts the claim,`,
    `says nothing about it, or supports only part of it. Use only the ${premise.label}, not your own knowledge.`,
    '',
    `${capitalise(premise.label)}:`,
    premise.text,
    '',
    'Claims:',
    numberedList(claims),
    '',
    'Reply with JSON: {"verdicts": [{"claim": <number>, "reason": "<one sentence>", "verdict": 1 or 0}, ...]}',
    'with exactly one entry per claim, in the order given.',
  ].join('\n');
  const reply = await askJudge(context, purpose, prompt);
  return reply.objects('verdicts', claims.length).map((entry, index) => ({
    claim: claims[index] ?? '',
    supported: reply.flag('verdict', entry),
    reason: optionalText(entry, 'reason'),
  }));
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
