import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { printStreamingReport } from './streaming-report.js';
import { streamingRun } from './streaming-run.js';
import { writeSyntheticDataset } from './synthetic-dataset.js';

/**
 * `BENCH_RUNS_PARTS=d npm run bench:runs`, part (d) of the runs-at-scale benchmark (opt-in: it
 * takes minutes and a few GB of disk): BENCH_STREAM_CASES cases (default 1,000,000, about 1.1 KB
 * each, so about 1.1 GB of JSONL) written to disk, registered with the registry as a streamed
 * upload, scored by a planner process and two worker processes over Kafka and PostgreSQL
 * (rouge_l, bleu, token_f1), then read back page by page. A warm-up run of 20,000 cases comes
 * first, unmeasured. Prints each process's RSS (sampled every second from /proc), cases/s, the
 * count check and the page latencies beside their targets. BENCH_STREAM_WORKERS sets the workers
 * (default 2); BENCH_STREAM_NODE_OPTIONS adds node options to every service process (e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof`). Never fails on a figure; throws when a case is lost or
 * counted twice.
 */
const PAGE_SIZE = 500;
/** Scored first, unmeasured: the processes' heaps grow to their working size. */
const WARMUP_CASES = 20_000;

export interface StreamingBenchOptions {
  root: string;
  scratch: string;
  metrics: readonly string[];
}

export async function streamingBench(options: StreamingBenchOptions): Promise<void> {
  const cases = Number(process.env['BENCH_STREAM_CASES'] || 1_000_000);
  const workers = Number(process.env['BENCH_STREAM_WORKERS'] || 2);
  const started = performance.now();
  const progress = (message: string): void =>
    console.error(`[bench:runs d ${((performance.now() - started) / 1000).toFixed(1)} s] ${message}`);
  const datasetPath = join(options.scratch, 'stream-cases.jsonl');
  const warmupPath = join(options.scratch, 'stream-warmup.jsonl');
  try {
    progress(`writing ${cases} cases to ${datasetPath}`);
    const generated = performance.now();
    const bytes = await writeSyntheticDataset(datasetPath, cases);
    const generateMs = performance.now() - generated;
    await writeSyntheticDataset(warmupPath, WARMUP_CASES);
    const result = await streamingRun({
      root: options.root,
      datasetPath,
      cases,
      warmup: { datasetPath: warmupPath, cases: WARMUP_CASES },
      workers,
      metrics: options.metrics,
      sampleMs: 1_000,
      pageSize: PAGE_SIZE,
      nodeOptions: process.env['BENCH_STREAM_NODE_OPTIONS'] || undefined,
      progress,
    });
    printStreamingReport(result, { cases, workers, bytes, generateMs, warmupCases: WARMUP_CASES, ...options });
  } finally {
    rmSync(datasetPath, { force: true });
    rmSync(warmupPath, { force: true });
  }
}
