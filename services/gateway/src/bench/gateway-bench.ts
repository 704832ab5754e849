import 'reflect-metadata';
import { availableParallelism } from 'node:os';
import { ConfigError } from '@evalvault/platform';
import { parseApiKey } from '../auth/api-keys.js';
import { DEFAULT_PROJECT } from '../auth/bootstrap-key.js';
import { VERIFIED_KEY_TTL_MS } from '../auth/verified-key-cache.js';
import { freshBootstrapKey } from './bench-fixtures.js';
import { CONNECTIONS, FIXED_RATE, FIXED_RATE_CONNECTIONS, PIPELINING, routes, type Route } from './bench-routes.js';
import { BENCH_RATE_LIMIT, expectAnswer, startBaseline, startGateway, type RunningServer } from './bench-servers.js';
import { report } from './bench-report.js';
import { abba, BenchError, LoadGenerator, type Figure } from './bench-support.js';
import { loadBenchConfig } from './config.js';

/**
 * `npm run bench:gateway`: requests per second and p99 latency of `GET …/runs/{id}` and
 * `POST …/runs` through the gateway, each against a bare node:http server answering the same
 * bytes, measured alternately in the same run. Fixed durations; prints figures, never fails on a time.
 */
const MAX_WARMUP_SECONDS = 1;

const progress = (message: string): void => console.error(`[bench:gateway] ${message}`);

async function compare(
  generator: LoadGenerator,
  route: Route,
  gateway: RunningServer,
  baseline: RunningServer,
  seconds: number,
): Promise<Figure> {
  const warmup = Math.min(MAX_WARMUP_SECONDS, seconds);
  await generator.measure(gateway.url, route.load, warmup);
  await generator.measure(baseline.url, route.load, warmup);
  const pair = await abba(
    () => generator.measure(baseline.url, route.load, seconds),
    () => generator.measure(gateway.url, route.load, seconds),
  );
  return { key: route.key, label: route.label, ...pair };
}

/**
 * The key was made for this run only: revoke it (an ApiKeyRevoked event), so it is no admin of `default`
 * afterwards.
 */
async function revoke(gateway: RunningServer, apiKey: string): Promise<void> {
  const keyId = parseApiKey(apiKey)!.keyId;
  const response = await fetch(`${gateway.url}/v1/projects/${DEFAULT_PROJECT}/api-keys/${keyId}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${apiKey}` },
  }).catch((error: Error) => error);
  if (response instanceof Error || response.status !== 200) {
    const reason = response instanceof Error ? response.message : response.status;
    progress(`could not revoke the benchmark's key evk_${keyId}: ${reason}`);
  }
}

function header(pgVersion: string, seconds: number): string {
  const warmup = Math.min(MAX_WARMUP_SECONDS, seconds);
  return [
    `bench:gateway  (PostgreSQL ${pgVersion}, node ${process.version}, ${availableParallelism()} cores; ` +
      `autocannon in a worker thread, ${CONNECTIONS} connections, pipelining ${PIPELINING}; ` +
      `${warmup} s warm-up, then 2 × ${seconds} s per side: baseline, gateway, gateway, baseline)`,
    'gateway: the Nest/Fastify app in this process: API key verified in PostgreSQL, then trusted for ' +
      `${VERIFIED_KEY_TTL_MS / 1000} s (revocation through the gateway at once), ` +
      'role guard, strict schema validation, rate limit on at ' +
      `${BENCH_RATE_LIMIT.max.toLocaleString('en-US')} per ${BENCH_RATE_LIMIT.windowMs / 1000} s per tenant ` +
      '(never reached), no Idempotency-Key sent (idempotency off);',
    '  the runs service behind it is an in-process client whose handlers answer a fixed RunView / submit result ' +
      'at once (no HTTP hop, no runs database)',
    'baseline: a bare node:http server on 127.0.0.1 answering the same status and JSON bytes; ' +
      "p99 over every response of both rounds; CPU: the servers' thread's (user + system) per answer, and its " +
      'ratio bare / gateway',
    `"at ${FIXED_RATE.toLocaleString('en-US')} req/s": sent evenly, open loop (open-loop.ts, at most ` +
      `${FIXED_RATE_CONNECTIONS} keep-alive connections), so req/s is the rate sent and the p99 is the figure`,
  ].join('\n');
}

async function main(): Promise<void> {
  const { seconds, databaseUrl } = loadBenchConfig();
  const apiKey = freshBootstrapKey();
  const list = routes(apiKey);
  progress(`starting the gateway on 127.0.0.1 (database ${databaseUrl.replace(/\/\/[^@/]*@/, '//')})`);
  const gateway = await startGateway(databaseUrl, apiKey);
  let baseline: RunningServer | undefined;
  const generator = new LoadGenerator();
  try {
    baseline = await startBaseline(
      new Map(list.map((route) => [`${route.load.method} ${route.load.path}`, route.answer])),
    );
    for (const { load, answer } of list) {
      await expectAnswer(gateway.url, load.method, load.path, load.headers, load.body, answer);
      await expectAnswer(baseline.url, load.method, load.path, load.headers, load.body, answer);
    }
    const version = await gateway.pool.query<{ server_version: string }>('SHOW server_version');
    const figures: Figure[] = [];
    for (const route of list) {
      progress(`${route.label}: ${Math.min(MAX_WARMUP_SECONDS, seconds) * 2 + seconds * 4} s`);
      figures.push(await compare(generator, route, gateway, baseline, seconds));
    }
    report(header(version.rows[0]!.server_version.split(' ')[0]!, seconds), figures);
  } finally {
    await generator.close();
    await revoke(gateway, apiKey);
    await baseline?.close().catch(() => undefined);
    await gateway.close().catch((error: Error) => progress(`could not stop the gateway: ${error.message}`));
  }
}

main().catch((error: unknown) => {
  const message =
    error instanceof BenchError || error instanceof ConfigError
      ? error.message
      : ((error as Error).stack ?? String(error));
  console.error(`bench:gateway failed: ${message}`);
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 10_000).unref(); // a half-open connection must not keep a failed run alive
});
