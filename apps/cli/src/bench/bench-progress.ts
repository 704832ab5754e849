import { performance } from 'node:perf_hooks';

/** A benchmark that cannot give a figure: a run failed, a case was lost, a server did not start. */
export class BenchError extends Error {}

const benchStarted = performance.now();

/** Progress of part (b) on stderr, with the seconds since the process started it; stdout keeps the figures. */
export const progress = (message: string): void =>
  console.error(`[bench:runs b ${((performance.now() - benchStarted) / 1000).toFixed(1)} s] ${message}`);

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
