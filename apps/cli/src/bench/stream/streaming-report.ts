import { availableParallelism } from 'node:os';
import type { RssSample } from './rss-sampler.js';
import { quantile, rssFigures, type RssFigures } from './stream-figures.js';
import type { StreamingRunResult } from './streaming-run.js';

/** Part (d)'s figures, each beside its target; throws when a case was lost or counted twice. */
const TARGET_RSS_MB = 300;
const TARGET_PAGE_MS = 100;

export interface StreamingShape {
  cases: number;
  workers: number;
  bytes: number;
  generateMs: number;
  warmupCases: number;
  metrics: readonly string[];
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const mb = (value: number | null | undefined): string =>
  value === null || value === undefined || Number.isNaN(value) ? '?' : value.toFixed(0);

function rssLine(name: string, figures: RssFigures | null, withShares: boolean): string {
  if (figures === null) return `    ${name.padEnd(9)} no readings`;
  const shares = withShares
    ? `   at 10 % ${mb(figures.at10)}, 50 % ${mb(figures.at50)}, 100 % ${mb(figures.at100)}`
    : '';
  return (
    `    ${name.padEnd(9)} min ${mb(figures.min)}  median ${mb(figures.median)}  max ${mb(figures.max)}${shares}` +
    `   max 1st half ${mb(figures.maxFirstHalf)}, 2nd half ${mb(figures.maxSecondHalf)} (${mb(figures.growth)})`
  );
}

/** CPU seconds each process spent between the first and last readings. */
function cpuLine(samples: readonly RssSample[]): string {
  const first = samples[0]?.cpuSeconds ?? {};
  const last = samples.at(-1)?.cpuSeconds ?? {};
  return Object.keys(last)
    .map((name) => `${name} ${(last[name]! - (first[name] ?? 0)).toFixed(1)} s`)
    .join(', ');
}

export function printStreamingReport(result: StreamingRunResult, shape: StreamingShape): void {
  const { cases } = shape;
  const perSecond = (ms: number): string => (cases / (ms / 1000)).toFixed(0);
  console.log(
    `bench:runs (d) — ${cases.toLocaleString('en-US')} cases (${(shape.bytes / 1e9).toFixed(2)} GB of JSONL; ` +
      `${shape.metrics.join(', ')}), registry + 1 planner + ${shape.workers} workers over Kafka + PostgreSQL, ` +
      `${availableParallelism()} cores; after a warm-up run of ${shape.warmupCases.toLocaleString('en-US')} cases`,
  );
  console.log(`  dataset written to disk in ${seconds(shape.generateMs)}`);
  console.log(
    `  registered (streamed upload) in ${seconds(result.uploadMs)}: ` +
      `${(shape.bytes / 1e6 / (result.uploadMs / 1000)).toFixed(1)} MB/s, ${perSecond(result.uploadMs)} cases/s`,
  );
  console.log(
    `  submit → RunCompleted ${seconds(result.runMs)}: ${perSecond(result.runMs)} cases/s; the read model showed ` +
      `it completed at ${seconds(result.readModelMs)}; batches per worker ${result.batchesPerWorker.join(' / ')}`,
  );
  const uploadTotal = result.uploadSamples.at(-1)?.scored ?? shape.bytes;
  console.log(`  RSS during the upload, MB (halves by bytes sent; ${result.uploadSamples.length} readings):`);
  for (const name of ['registry', 'planner'])
    console.log(rssLine(name, rssFigures(result.uploadSamples, name, uploadTotal), false));
  console.log(`  RSS during the run, MB (halves by cases the workers scored; ${result.runSamples.length} readings):`);
  const names = Object.keys(result.runSamples[0]?.rssMb ?? {});
  for (const name of names) console.log(rssLine(name, rssFigures(result.runSamples, name, cases), true));
  console.log(`  CPU during the upload: ${cpuLine(result.uploadSamples)}`);
  console.log(`  CPU during the run: ${cpuLine(result.runSamples)}`);
  const countedOnce =
    result.resultsInEvents === cases &&
    result.distinctInEvents === cases &&
    result.completed.evaluatedCases === cases &&
    result.completed.failedCases === 0;
  console.log(
    `  counted once: ${result.resultsInEvents} results in CaseEvaluated, ${result.distinctInEvents} distinct ` +
      `indexes of ${cases}; RunCompleted ${result.completed.evaluatedCases}/${result.completed.totalCases} ` +
      `evaluated, ${result.completed.failedCases} failed — ${countedOnce ? 'yes' : 'NO'}`,
  );
  const pages = result.pageMs;
  const ms = (value: number | undefined): string => `${value?.toFixed(1)} ms`;
  const p99 = quantile(pages, 0.99);
  console.log(
    `  pages of 500 by keyset cursor: ${pages.length} pages, ${result.casesInPages} cases, ` +
      `${result.distinctInPages} distinct, ${result.pagesInOrder ? 'in order' : 'OUT OF ORDER'}`,
  );
  console.log(
    `    first ${ms(pages[0])}, middle ${ms(pages[Math.floor((pages.length - 1) / 2)])}, last ${ms(pages.at(-1))}; ` +
      `median ${ms(quantile(pages, 0.5))}, p99 ${ms(p99)}, max ${ms(Math.max(...pages))}`,
  );
  const workers = names
    .filter((name) => name.startsWith('worker'))
    .map((name) => rssFigures(result.runSamples, name, cases));
  console.log(
    `  targets: each worker's RSS < ${TARGET_RSS_MB} MB and flat — max ${workers.map((f) => mb(f?.max)).join(' / ')} ` +
      `MB, 2nd half − 1st half ${workers.map((f) => mb(f?.growth)).join(' / ')} MB; every case counted once — ` +
      `${countedOnce ? 'met' : 'NOT met'}; a page < ${TARGET_PAGE_MS} ms — p99 ${ms(p99)} ` +
      `(${p99 < TARGET_PAGE_MS ? 'met' : 'not met'})`,
  );
  if (!countedOnce || result.distinctInPages !== cases || !result.pagesInOrder)
    throw new Error('a case was lost or counted twice (see above)');
}
