import { defineMetric } from '../define-metric.js';
import { fmt, quote } from '../format.js';
import { describeCoverage, textSimilarity } from '../vectors/word-vectors.js';
import { askJudge, type JudgeReply } from './judge-reply.js';

/** Questions generated per answer: Ragas' default "strictness". */
export const GENERATED_QUESTIONS = 3;

/**
 * Ragas answer relevancy: the judge writes questions that the answer would answer, and flags a
 * noncommittal answer; score = mean similarity of those questions to the real question, 0 when
 * noncommittal. Similarity is our word-vector cosine, max(0, cos) (Ragas uses an embedding model).
 * One call asks for all N questions: N identical requests would be collapsed to one by a caching
 * judge, and cost N times as much.
 */
export const answerRelevancyLlmMetric = defineMetric({
  name: 'answer_relevancy_llm',
  kind: 'llm',
  requires: [],
  description:
    'Similarity of questions generated from the answer to the real question; 0 if noncommittal (LLM-judged, Ragas).',
  async compute(context) {
    const { question, answer } = context.testCase;
    const reply = await askJudge(context, 'answer_relevancy.questions', questionsPrompt(answer));
    if (reply.flag('noncommittal')) {
      return {
        score: 0,
        explanation: 'Relevancy 0.00: the judge found the answer noncommittal (evasive, vague or declining)',
      };
    }
    const generated = generatedQuestions(reply);
    const vectors = await context.wordVectors();
    const similarities = generated.map((candidate) => textSimilarity(question, candidate, vectors));
    const score = similarities.reduce((sum, result) => sum + result.similarity, 0) / similarities.length;
    const listed = generated
      .map((candidate, index) => `${quote(candidate, 60)} ${fmt(similarities[index]?.similarity ?? 0)}`)
      .join(', ');
    const coverage = similarities[0] === undefined ? '' : `; ${describeCoverage('question', similarities[0].left)}`;
    return {
      score,
      explanation:
        `Relevancy ${fmt(score)}: mean similarity to the question of ${generated.length} ` +
        `questions generated from the answer (${listed})${coverage}`,
    };
  },
});

function questionsPrompt(answer: string): string {
  return [
    `Write ${GENERATED_QUESTIONS} different questions, as a user would ask them, ` +
      'to which the answer below is a direct answer.',
    'Also say whether the answer is noncommittal, that is evasive, vague or declining to answer',
    '(for example "I don\'t know" or "I cannot say"): 1 if it is, 0 if it commits to an answer.',
    '',
    `Answer: ${answer}`,
    '',
    'Reply with JSON: {"questions": ["<question>", ...], "noncommittal": 1 or 0}',
  ].join('\n');
}

/** At least one question is needed to score; extra ones beyond N are ignored. */
function generatedQuestions(reply: JudgeReply): string[] {
  const questions = reply.strings('questions').slice(0, GENERATED_QUESTIONS);
  if (questions.length === 0) throw reply.fail('"questions" is empty');
  return questions;
}
