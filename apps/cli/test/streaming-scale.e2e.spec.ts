import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { rssFigures } from '../src/bench/stream/stream-figures.js';
import { streamingRun, type StreamingRunResult } from '../src/bench/stream/streaming-run.js';
import { writeSyntheticDataset } from '../src/bench/stream/synthetic-dataset.js';

// Four processes start and join consumer groups; 50,000 cases are uploaded, scored and paged.
jest.setTimeout(300_000);

/**
 * The CI-sized variant of the 1,000,000-case streaming benchmark (`BENCH_RUNS_PARTS=d npm run
 * bench:runs`), the same shape: a dataset registered as a streamed upload, scored by a planner
 * process and two worker processes over the real broker and PostgreSQL, at 50,000 cases (about
 * 57 MB). Every case counts once in the run's events and once in the pages of its results. Each
 * worker stays under 300 MB, and flat, by two measures:
 *
 * - its live heap after a full collection (read over the inspector at 10, 20, 40, 60, 80 and 100 %
 *   of the cases) grows by less than LIVE_GROWTH_MB. Flat workers stay within ±2 MB; a worker that
 *   kept every batch it scored grew 28 MB here (an injected leak, 1.3 KB a case), one that kept
 *   80 bytes a case of run state (the case sets and score lists before they were typed arrays)
 *   3.5 MB: too little to tell from noise at this size, 80 MB at a million cases (the benchmark).
 * - its highest RSS while the second half of the cases was scored exceeds the highest while the
 *   first half was by less than RSS_GROWTH_MB (the run's completion after the last case, which
 *   reads the run's scores, counts against the 300 MB only). The full collections at the
 *   checkpoints keep the garbage a worker carries between collections (up to 70 MB of buffers)
 *   from hiding the trend: flat workers showed −20 to +12 MB, the injected leak +11 and +22 MB: a
 *   coarse guard only.
 *
 * No assertion on time.
 */
const CASES = 50_000;
const WORKER_RSS_LIMIT_MB = 300;
const LIVE_GROWTH_MB = 8;
const RSS_GROWTH_MB = 40;
const root = join(import.meta.dirname, '..', '..', '..');

describe('a registered dataset streamed end to end', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'evalvault-stream-e2e-'));
  const outputs = new Map<string, string>();
  let result: StreamingRunResult;

  beforeAll(async () => {
    const datasetPath = join(scratch, 'cases.jsonl');
    await writeSyntheticDataset(datasetPath, CASES);
    result = await streamingRun({
      root,
      datasetPath,
      cases: CASES,
      workers: 2,
      metrics: ['rouge_l', 'bleu', 'token_f1'],
      sampleMs: 250,
      pageSize: 500,
      heapShares: [0.1, 0.2, 0.4, 0.6, 0.8, 1],
      keepOutput: (name, output) => outputs.set(name, output),
    });
  });

  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it('counts every case once: in the run’s events and in RunCompleted', () => {
    expect(result.completed).toEqual({ totalCases: CASES, evaluatedCases: CASES, failedCases: 0 });
    expect({ results: result.resultsInEvents, distinct: result.distinctInEvents }).toEqual({
      results: CASES,
      distinct: CASES,
    });
  });

  it('pages through the results with keyset cursors, each case exactly once and in order', () => {
    expect({ cases: result.casesInPages, distinct: result.distinctInPages, inOrder: result.pagesInOrder }).toEqual({
      cases: CASES,
      distinct: CASES,
      inOrder: true,
    });
    expect(result.pageMs).toHaveLength(CASES / 500);
  });

  it('keeps each worker under 300 MB, its live heap and its RSS flat while it scores', () => {
    expect(result.batchesPerWorker.every((batches) => batches > 0)).toBe(true); // both took part
    const checkpoints = result.heapCheckpoints;
    expect(checkpoints.map((checkpoint) => checkpoint.share)).toEqual([0.1, 0.2, 0.4, 0.6, 0.8, 1]);
    const figures = ['worker 1', 'worker 2'].map((name, n) => {
      const rss = rssFigures(result.runSamples, name, CASES);
      const live = checkpoints.map((checkpoint) => checkpoint.liveMb[n]!);
      return { name, maxRss: rss?.max, rssGrowth: rss?.growth, live, liveGrowth: live.at(-1)! - live[0]! };
    });
    const flat = figures.every(
      ({ maxRss, rssGrowth, liveGrowth }) =>
        maxRss! < WORKER_RSS_LIMIT_MB && rssGrowth! < RSS_GROWTH_MB && liveGrowth < LIVE_GROWTH_MB,
    );
    if (!flat) throw new Error(`a worker is not flat below ${WORKER_RSS_LIMIT_MB} MB: ${explain(figures, outputs)}`);
  });
});

function explain(figures: object, outputs: ReadonlyMap<string, string>): string {
  const tails = [...outputs].map(([name, output]) => `--- ${name}\n${output.slice(-1500)}`);
  return [JSON.stringify(figures, null, 1), ...tails].join('\n');
}
