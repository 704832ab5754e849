import { Worker } from 'node:worker_threads';
import type { AutocannonOptions } from 'autocannon';
import type { LoadAnswer, LoadResult } from './load-worker.js';

/** A failure of the benchmark's set-up (database, a wrong answer): printed as is, exit code 1. */
export class BenchError extends Error {}

/** The same load, aimed at either server. */
export interface Load {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  connections: number;
  pipelining: number;
}

/** The load generator: one worker thread, reused for every run (one run at a time). */
export class LoadGenerator {
  private readonly worker = new Worker(new URL('./load-worker.js', import.meta.url));
  private pending: { resolve: (answer: LoadAnswer) => void; reject: (error: Error) => void } | undefined;
  /** Why the worker is gone, once it is: later runs fail at once instead of waiting for an answer. */
  private stopped: Error | undefined;

  constructor() {
    this.worker.on('message', (answer: LoadAnswer) => this.settle((pending) => pending.resolve(answer)));
    this.worker.on('error', (error) => this.stop(error));
    this.worker.on('exit', (code) => this.stop(new BenchError(`the load generator stopped (exit code ${code})`)));
  }

  /** Runs `load` against `base` for `seconds`; any failed request voids the run. */
  async measure(base: string, load: Load, seconds: number): Promise<LoadResult> {
    const { path, ...rest } = load;
    const options: AutocannonOptions = { ...rest, url: `${base}${path}`, duration: seconds, timeout: 10 };
    const answer = await new Promise<LoadAnswer>((resolve, reject) => {
      if (this.stopped) {
        reject(this.stopped);
        return;
      }
      this.pending = { resolve, reject };
      this.worker.postMessage(options);
    });
    if ('error' in answer) throw new BenchError(`the load generator failed: ${answer.error}`);
    const { non2xx, errors, timeouts, statusCodes } = answer.result.failures;
    if (non2xx + errors + timeouts > 0) {
      throw new BenchError(
        `${load.method} ${base}${path}: ${non2xx} non-2xx answers, ${errors} errors, ${timeouts} timeouts ` +
          `(status codes ${JSON.stringify(statusCodes)}); the figures would measure refusals, not the route`,
      );
    }
    return answer.result;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private stop(error: Error): void {
    this.stopped ??= error;
    this.settle((pending) => pending.reject(this.stopped!));
  }

  private settle(how: (pending: NonNullable<LoadGenerator['pending']>) => void): void {
    const pending = this.pending;
    this.pending = undefined;
    if (pending) how(pending);
  }
}

/**
 * Times two rounds of each side in the order baseline, gateway, gateway, baseline (ABBA), so a drift of
 * the machine during the measurement weighs on both sides alike.
 */
export async function abba(baseline: () => Promise<LoadResult>, gateway: () => Promise<LoadResult>): Promise<Pair> {
  const b0 = await baseline();
  const g0 = await gateway();
  const g1 = await gateway();
  const b1 = await baseline();
  return { gateway: [g0, g1], baseline: [b0, b1] };
}

export interface Pair {
  gateway: LoadResult[];
  baseline: LoadResult[];
}

export interface Figure extends Pair {
  key: string;
  label: string;
}

interface Summary {
  requests: number;
  perSecond: number;
  /** Over every response of every round. */
  p50Ms: number;
  p99Ms: number;
}

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

function summary(rounds: readonly LoadResult[]): Summary {
  const latencies = new Float64Array(rounds.reduce((total, round) => total + round.latenciesMs.length, 0));
  let requests = 0;
  let seconds = 0;
  for (const round of rounds) {
    latencies.set(round.latenciesMs, requests);
    requests += round.requests;
    seconds += round.seconds;
  }
  latencies.sort();
  return {
    requests,
    perSecond: requests / seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
}

const count = (value: number): string => Math.round(value).toLocaleString('en-US');
const fixed = (value: number, digits: number): number => Number(value.toFixed(digits));

/** The human table (stdout), then one machine-readable BENCH_JSON line per figure. */
export function report(header: string, figures: readonly Figure[]): void {
  const rows = figures.map((figure) => ({
    figure,
    gateway: summary(figure.gateway),
    baseline: summary(figure.baseline),
  }));
  const lines = [
    header,
    `${'route'.padEnd(38)}${'gateway req/s'.padStart(14)}${'baseline req/s'.padStart(16)}${'ratio'.padStart(8)}` +
      `${'gateway p99 ms'.padStart(16)}${'baseline p99 ms'.padStart(17)}${'ratio'.padStart(8)}`,
    ...rows.map(
      ({ figure, gateway, baseline }) =>
        `${figure.label.padEnd(38)}${count(gateway.perSecond).padStart(14)}${count(baseline.perSecond).padStart(16)}` +
        `${(gateway.perSecond / baseline.perSecond).toFixed(2).padStart(8)}${gateway.p99Ms.toFixed(2).padStart(16)}` +
        `${baseline.p99Ms.toFixed(2).padStart(17)}${(gateway.p99Ms / baseline.p99Ms).toFixed(2).padStart(8)}`,
    ),
  ];
  console.log(lines.join('\n'));
  for (const { figure, gateway, baseline } of rows) {
    console.log(
      `BENCH_JSON ${JSON.stringify({
        path: figure.key,
        gateway_req_per_s: Math.round(gateway.perSecond),
        baseline_req_per_s: Math.round(baseline.perSecond),
        req_per_s_ratio: fixed(gateway.perSecond / baseline.perSecond, 3),
        gateway_p99_ms: fixed(gateway.p99Ms, 3),
        baseline_p99_ms: fixed(baseline.p99Ms, 3),
        p99_ratio: fixed(gateway.p99Ms / baseline.p99Ms, 3),
        gateway_p50_ms: fixed(gateway.p50Ms, 3),
        baseline_p50_ms: fixed(baseline.p50Ms, 3),
        gateway_requests: gateway.requests,
        baseline_requests: baseline.requests,
      })}`,
    );
  }
}
