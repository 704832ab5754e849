import { readDataset, type EvaluationCase } from '@evalvault/evaluation';
import { ContentNotFoundError, isContentHash, type ContentStore } from '@evalvault/platform';
import type { TrackedRun } from './run-tracker.js';

/** One case's text, with its position in the dataset (CaseEvaluated's caseIndex). */
export interface CaseText extends EvaluationCase {
  index: number;
}

/**
 * A completed run's case texts, streamed in dataset order: inline cases from RunRequested, a
 * registered dataset's from the shared content store by the content hash the run pinned (as the
 * runs service reads them: canonical JSONL, checked against the hash as it streams).
 */
export async function* runCaseTexts(run: TrackedRun, content: ContentStore): AsyncGenerator<CaseText> {
  if (run.inlineCases) {
    let index = 0;
    for (const testCase of run.inlineCases) {
      yield {
        index: index++,
        id: testCase.id,
        question: testCase.question,
        answer: testCase.answer,
        contexts: testCase.contexts,
        groundTruth: testCase.groundTruth,
        ...(testCase.metadataJson ? { metadata: parseMetadata(testCase.metadataJson) } : {}),
      };
    }
    return;
  }
  if (!isContentHash(run.contentHash)) return; // an unpinned dataset (a directory): nothing memory can read
  let stream;
  try {
    stream = await content.get(run.contentHash);
  } catch (error) {
    if (error instanceof ContentNotFoundError) return;
    throw error;
  }
  for await (const row of readDataset(stream, 'jsonl')) {
    if (row.kind === 'case') yield { ...row.testCase, index: row.index };
  }
}

function parseMetadata(json: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
