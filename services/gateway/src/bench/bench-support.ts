import { Worker } from 'node:worker_threads';
import type { AutocannonOptions } from 'autocannon';
import type { LoadAnswer, LoadResult } from './load-result.js';

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
  /** A fixed offered load (requests per second from all connections); none: as fast as answers come. */
  overallRate?: number;
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
    const cpuBefore = process.threadCpuUsage();
    const answer = await new Promise<LoadAnswer>((resolve, reject) => {
      if (this.stopped) {
        reject(this.stopped);
        return;
      }
      this.pending = { resolve, reject };
      this.worker.postMessage(options);
    });
    const cpu = process.threadCpuUsage(cpuBefore);
    if ('error' in answer) throw new BenchError(`the load generator failed: ${answer.error}`);
    const { non2xx, errors, timeouts, statusCodes } = answer.result.failures;
    if (non2xx + errors + timeouts > 0) {
      throw new BenchError(
        `${load.method} ${base}${path}: ${non2xx} non-2xx answers, ${errors} errors, ${timeouts} timeouts ` +
          `(status codes ${JSON.stringify(statusCodes)}); the figures would measure refusals, not the route`,
      );
    }
    return { ...answer.result, serverCpuMicros: cpu.user + cpu.system };
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
