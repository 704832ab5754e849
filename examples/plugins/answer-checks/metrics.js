// @ts-check
/**
 * An EvalVault metric plugin (plugin API 1): two metrics, run by the runs service in a worker thread.
 * @typedef {import('@evalvault/plugin-api').PluginMetric} PluginMetric
 * @typedef {import('@evalvault/plugin-api').PluginCase} PluginCase
 */

/** @param {string} text */
const words = (text) =>
  text
    .toLowerCase()
    .normalize('NFKC')
    .match(/[\p{L}\p{N}]+/gu) ?? [];

/**
 * The case's required keywords: `metadata.keywords` (a list of words or phrases). A case without
 * them cannot be scored by this metric, and says so.
 * @param {PluginCase} testCase
 * @returns {string[]}
 */
function keywordsOf(testCase) {
  const keywords = testCase.metadata?.['keywords'];
  if (!Array.isArray(keywords) || keywords.length === 0 || keywords.some((k) => typeof k !== 'string'))
    throw new Error(`case "${testCase.id}" has no metadata.keywords (a non-empty list of strings)`);
  return keywords;
}

/** @type {PluginMetric} */
const keywordCoverage = {
  name: 'keyword_coverage',
  description: 'Share of the case’s required keywords (metadata.keywords) that the answer contains, as words.',
  kind: 'deterministic',
  score(testCase) {
    const answer = ` ${words(testCase.answer).join(' ')} `;
    const keywords = keywordsOf(testCase);
    const missing = keywords.filter((keyword) => !answer.includes(` ${words(keyword).join(' ')} `));
    const found = keywords.length - missing.length;
    return {
      score: found / keywords.length,
      explanation:
        `${found} of ${keywords.length} keywords in the answer` +
        (missing.length > 0 ? `; missing: ${missing.join(', ')}` : ''),
    };
  },
};

const TONE_SYSTEM = 'You review answers a help desk sends to employees. You judge tone only, never correctness.';

/** @param {PluginCase} testCase */
const tonePrompt = (testCase) =>
  [
    'Rate the tone of the answer from 1 to 5:',
    '5: courteous and clear; 4: neutral and clear; 3: curt; 2: condescending or blaming; 1: rude.',
    '',
    `Question: ${testCase.question}`,
    `Answer: ${testCase.answer}`,
    '',
    'Reply with JSON: {"score": <integer 1 to 5>, "reason": "<one sentence>"}',
  ].join('\n');

/** @type {PluginMetric} */
const politeTone = {
  name: 'polite_tone',
  description: 'The judge’s 1-5 rating of the answer’s tone (courteous to rude), as (rating - 1) / 4.',
  kind: 'llm',
  async score(testCase, context) {
    const reply = await context.judge({
      purpose: 'tone',
      system: TONE_SYSTEM,
      prompt: tonePrompt(testCase),
      json: true,
    });
    const { score, reason } = JSON.parse(reply);
    if (!Number.isInteger(score) || score < 1 || score > 5)
      throw new Error(`the judge's score is ${JSON.stringify(score)}, not an integer from 1 to 5`);
    return { score: (score - 1) / 4, explanation: `Tone ${score} of 5${reason ? `: ${reason}` : ''}` };
  },
};

export const metrics = [keywordCoverage, politeTone];
