import { parentPort } from 'node:worker_threads';
import autocannon, { type AutocannonOptions } from 'autocannon';
import type { LoadAnswer, LoadResult } from './load-result.js';
import { openLoop } from './open-loop.js';

/**
 * autocannon in a worker thread of its own, so the load generator does not share the servers'
 * event loop: one run's options per message, its result in answer. Each response's latency is
 * kept with sub-millisecond precision (autocannon's own histogram keeps whole milliseconds, too
 * coarse for a p99 of a few ms), so percentiles can be taken over several runs together.
 */

async function run(options: AutocannonOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const instance = autocannon(options);
  instance.on('response', (_client, _status, _bytes, responseTimeMs) => {
    latencies.push(responseTimeMs);
  });
  const result = await instance; // in a worker thread autocannon answers its raw counters, not the aggregated summary
  return {
    requests: latencies.length,
    seconds: result.duration,
    latenciesMs: Float64Array.from(latencies),
    failures: {
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count])),
    },
  };
}

const port = parentPort;
port?.on('message', (options: AutocannonOptions) => {
  const measured =
    options.overallRate === undefined ? run(options) : openLoop({ ...options, overallRate: options.overallRate });
  measured.then(
    (result) => port.postMessage({ result } satisfies LoadAnswer),
    (error: unknown) => port.postMessage({ error: (error as Error).stack ?? String(error) } satisfies LoadAnswer),
  );
});
