import 'reflect-metadata';
import { ConfigError } from '@evalvault/platform';
import { freshBootstrapKey } from './bench-fixtures.js';
import { routes } from './bench-routes.js';
import { startBaseline, startGateway } from './bench-servers.js';
import { BenchError, LoadGenerator } from './bench-support.js';
import { loadBenchConfig, loadUnderLoadConfig } from './config.js';

/**
 * The gateway of `npm run bench:gateway` (or, with `BENCH_SERVER=baseline`, its bare baseline) alone
 * under one route's load, for a profiler to watch (docs/performance.md, "Where an answer's CPU goes"):
 * `BENCH_ROUTE` get_run (default) or submit_run, `BENCH_SECONDS` of load after a 2 s warm-up. Prints
 * the process id, then req/s and the servers' thread's CPU per answer.
 */
const WARMUP_SECONDS = 2;

async function main(): Promise<void> {
  const { seconds, databaseUrl } = loadBenchConfig();
  const { route: key, server: which } = loadUnderLoadConfig();
  const apiKey = freshBootstrapKey();
  const route = routes(apiKey).find((candidate) => candidate.key === key)!;
  const server =
    which === 'gateway'
      ? await startGateway(databaseUrl, apiKey)
      : await startBaseline(new Map([[`${route.load.method} ${route.load.path}`, route.answer]]));
  const generator = new LoadGenerator();
  try {
    await generator.measure(server.url, route.load, WARMUP_SECONDS);
    console.error(`[gateway-under-load] pid ${process.pid}: ${which}, ${route.label} for ${seconds} s`);
    const result = await generator.measure(server.url, route.load, seconds);
    const perAnswer = (result.serverCpuMicros ?? Number.NaN) / result.requests;
    console.log(
      `${which}, ${route.label.replace(/ +/g, ' ')}: ${Math.round(result.requests / result.seconds)} req/s, ` +
        `${perAnswer.toFixed(1)} µs of the servers' thread's CPU per answer`,
    );
  } finally {
    await generator.close();
    await server.close();
  }
}

main().catch((error: unknown) => {
  const message =
    error instanceof BenchError || error instanceof ConfigError
      ? error.message
      : ((error as Error).stack ?? String(error));
  console.error(`gateway-under-load failed: ${message}`);
  process.exitCode = 1;
});
