import { evaluatedCases, type RunCompletedPayload } from '@evalvault/contracts';
import type { EventStore } from '@evalvault/platform';
import type { ScratchPlatform } from './scratch-platform.js';

/** What a finished streaming run is checked for: each case counted once, in its events and in its result pages. */
export interface CountedCases {
  completed: Pick<RunCompletedPayload, 'totalCases' | 'evaluatedCases' | 'failedCases'>;
  /** Case results found in CaseEvaluated events, and how many distinct indexes of 0..N-1 they named. */
  resultsInEvents: number;
  distinctInEvents: number;
}

export interface PagedCases {
  /** Each page's latency, in order, and what the pages held: cases, distinct indexes in 0..N-1, in order. */
  pageMs: number[];
  casesInPages: number;
  distinctInPages: number;
  pagesInOrder: boolean;
}

const EVENTS_PER_READ = 200;

/** The run's stream read a slice at a time (it holds every CaseEvaluated): each case index marked in a bitmap. */
export async function countedCases(store: EventStore, runId: string, cases: number): Promise<CountedCases> {
  const seen = new Uint8Array(cases);
  let resultsInEvents = 0;
  let distinctInEvents = 0;
  let completed: CountedCases['completed'] | null = null;
  for (let from = 0n; ; ) {
    const slice = await store.readStream(`run-${runId}`, { fromRevision: from, maxCount: EVENTS_PER_READ });
    for (const { event } of slice) {
      if (event.type === 'RunCompleted') {
        const { totalCases, evaluatedCases, failedCases } = event.payload;
        completed = { totalCases, evaluatedCases, failedCases };
      }
      if (event.type !== 'CaseEvaluated') continue;
      for (const { caseIndex } of evaluatedCases(event.payload)) {
        resultsInEvents += 1;
        if (caseIndex >= 0 && caseIndex < cases && seen[caseIndex] === 0) {
          seen[caseIndex] = 1;
          distinctInEvents += 1;
        }
      }
    }
    if (slice.length < EVENTS_PER_READ) break;
    from = slice.at(-1)!.revision + 1n;
  }
  if (!completed) throw new Error(`run ${runId} has no RunCompleted`);
  return { completed, resultsInEvents, distinctInEvents };
}

/** Every page of the run's cases, in order, each timed from request to parsed answer. */
export async function pageThrough(
  platform: ScratchPlatform,
  runId: string,
  cases: number,
  pageSize: number,
): Promise<PagedCases> {
  const seen = new Uint8Array(cases);
  const pageMs: number[] = [];
  let casesInPages = 0;
  let distinctInPages = 0;
  let pagesInOrder = true;
  let last = -1;
  let cursor: string | undefined;
  do {
    const started = performance.now();
    const page = await platform.runs.call(
      'getCases',
      { runId, limit: pageSize, ...(cursor ? { cursor } : {}) },
      platform.identity,
    );
    pageMs.push(performance.now() - started);
    for (const { caseIndex, status } of page.items) {
      casesInPages += 1;
      if (caseIndex <= last || status !== 'evaluated') pagesInOrder = false;
      last = caseIndex;
      if (caseIndex >= 0 && caseIndex < cases && seen[caseIndex] === 0) {
        seen[caseIndex] = 1;
        distinctInPages += 1;
      }
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { pageMs, casesInPages, distinctInPages, pagesInOrder };
}
