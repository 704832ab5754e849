import pg from 'pg';
import { EventCodec } from '@evalvault/contracts';
import { PostgresEventStore } from '@evalvault/platform';
import type { RegisteredVersion } from '@evalvault/service-apis';
import { countedCases, pageThrough, type CountedCases, type PagedCases } from './run-checks.js';
import { HeapProbe, heapCheckpoints, type HeapCheckpoint } from './heap-probe.js';
import { readModelCompleted, register, runCompleted, submit } from './run-steps.js';
import { RssSampler, type RssSample } from './rss-sampler.js';
import { ScratchPlatform } from './scratch-platform.js';

/**
 * One streaming run end to end: a JSONL file on disk is registered with the registry as the
 * gateway registers an upload (streamed to its upload route with a signed identity), scored by the
 * distributed runs service (a planner process and worker processes) from the content store, then
 * checked — every case index in exactly one CaseEvaluated, RunCompleted counting them all — and
 * its results read page by page from the read model with keyset cursors, as the gateway's
 * `GET …/runs/{id}/cases` reads them. Every process's RSS is sampled throughout. A smaller warm-up
 * run first brings the processes' heaps to their working size, so that what the samples show of
 * the measured run is what it costs, not the processes' start. Used by the benchmark (part (d) of
 * bench:runs) and its CI-sized end-to-end test; neither judges wall time.
 */
export interface StreamingRunOptions {
  root: string;
  /** The dataset file and its number of cases. */
  datasetPath: string;
  cases: number;
  /** A smaller dataset scored first, unmeasured. */
  warmup?: { datasetPath: string; cases: number };
  workers: number;
  metrics: readonly string[];
  sampleMs: number;
  /** Cases per page (the read model's largest is 500). */
  pageSize: number;
  nodeOptions?: string;
  /** Shares of the cases (e.g. 0.2, 0.6, 1) at which each worker's live heap is read after a full collection. */
  heapShares?: readonly number[];
  progress?: (message: string) => void;
  /** Called with each process's output before the processes are stopped (for a failure's diagnosis). */
  keepOutput?: (name: string, output: string) => void;
}

export interface StreamingRunResult extends CountedCases, PagedCases {
  runId: string;
  registered: RegisteredVersion;
  uploadMs: number;
  /** Submit to RunCompleted in the store, and to the read model showing the run completed. */
  runMs: number;
  readModelMs: number;
  /** RSS during the warm-up, the upload (progress: bytes sent) and the run (progress: cases the workers scored). */
  warmupSamples: RssSample[];
  uploadSamples: RssSample[];
  runSamples: RssSample[];
  /** Each worker's live heap at the shares asked for (none unless heapShares was given). */
  heapCheckpoints: HeapCheckpoint[];
  /** Batches of the measured run each worker scored (its "batch scored" log lines). */
  batchesPerWorker: number[];
}

export async function streamingRun(options: StreamingRunOptions): Promise<StreamingRunResult> {
  const say = options.progress ?? (() => undefined);
  const platform = new ScratchPlatform({
    root: options.root,
    workers: options.workers,
    maxUploadBytes: 4 * 1024 ** 3,
    nodeOptions: options.nodeOptions,
    inspectWorkers: (options.heapShares?.length ?? 0) > 0,
    progress: say,
  });
  let pool: pg.Pool | null = null;
  const probes: HeapProbe[] = [];
  try {
    await platform.start();
    if (options.heapShares?.length)
      for (const worker of platform.workers) probes.push(await HeapProbe.attach(() => worker.output()));
    pool = new pg.Pool({ connectionString: platform.databaseUrl, max: 2 });
    const sampler = (progress: () => number): RssSampler => {
      const sampling = new RssSampler(options.sampleMs, async () => progress());
      sampling.track('registry', platform.registry.child.pid);
      sampling.track('planner', platform.planner.child.pid);
      platform.workers.forEach((worker, n) => sampling.track(`worker ${n + 1}`, worker.child.pid));
      return sampling;
    };

    const { warmup } = options;
    const warmupSampler = sampler(() => platform.scoredCases);
    if (warmup) {
      say(`warm-up: registering and scoring ${warmup.cases} cases`);
      warmupSampler.start();
      try {
        const warm = await register(platform, warmup.datasetPath, `stream-${platform.tag}-warmup`);
        const warmRunId = await submit(platform, warm, options.metrics);
        await runCompleted(pool, warmRunId);
        await readModelCompleted(platform, warmRunId, warmup.cases);
      } finally {
        await warmupSampler.stop();
      }
    }

    say(`registering the dataset (${options.cases} cases) with the registry, streamed`);
    let sent = 0;
    const uploadSampler = sampler(() => sent);
    uploadSampler.start();
    const uploadStarted = performance.now();
    const registered = await register(platform, options.datasetPath, `stream-${platform.tag}`, (bytes) => {
      sent += bytes;
    }).finally(() => uploadSampler.stop());
    const uploadMs = performance.now() - uploadStarted;

    say(`scoring it with ${options.workers} worker(s): ${options.metrics.join(', ')}`);
    const scoredBefore = platform.scoredCases;
    const batchesBefore = platform.workers.map((worker) => worker.logLines('batch scored').length);
    const runSampler = sampler(() => platform.scoredCases - scoredBefore);
    runSampler.start();
    const runStarted = performance.now();
    let runId: string;
    let runMs: number;
    let readModelMs: number;
    let stopProbing!: () => void;
    const probing = heapCheckpoints(
      probes,
      options.heapShares ?? [],
      options.cases,
      () => platform.scoredCases - scoredBefore,
      new Promise<void>((resolve) => {
        stopProbing = resolve;
      }),
    );
    try {
      runId = await submit(platform, registered, options.metrics);
      await runCompleted(pool, runId);
      runMs = performance.now() - runStarted;
      await readModelCompleted(platform, runId, options.cases);
      readModelMs = performance.now() - runStarted;
    } finally {
      stopProbing();
      await runSampler.stop();
    }
    const checkpoints = await probing;

    say('checking every case was counted once, then paging through the results');
    const store = new PostgresEventStore(pool, new EventCodec());
    const counted = await countedCases(store, runId, options.cases);
    const pages = await pageThrough(platform, runId, options.cases, options.pageSize);
    return {
      runId,
      registered,
      uploadMs,
      runMs,
      readModelMs,
      warmupSamples: warmupSampler.samples,
      uploadSamples: uploadSampler.samples,
      runSamples: runSampler.samples,
      ...counted,
      ...pages,
      heapCheckpoints: checkpoints,
      batchesPerWorker: platform.workers.map((worker, n) => worker.logLines('batch scored').length - batchesBefore[n]!),
    };
  } finally {
    for (const probe of probes) probe.close();
    for (const [name, output] of platform.outputs()) options.keepOutput?.(name, output);
    await pool?.end().catch(() => undefined);
    await platform.close();
  }
}
