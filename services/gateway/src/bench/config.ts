import { ConfigError, type Environment } from '@evalvault/platform';

export const DEFAULT_BENCH_SECONDS = 5;
const DEV_DATABASE_URL = 'postgres://evalvault@127.0.0.1:5432/evalvault';

export interface GatewayBenchConfig {
  /** Length of each timed measurement; warm-ups last at most 2 s. */
  seconds: number;
  /** The gateway's database: the development one unless DATABASE_URL says otherwise (as for `npm run migrate`). */
  databaseUrl: string;
}

/** The only place `npm run bench:gateway` reads its environment: BENCH_SECONDS, DATABASE_URL. */
export function loadBenchConfig(env: Environment = process.env): GatewayBenchConfig {
  const raw = env['BENCH_SECONDS'];
  const seconds = raw === undefined || raw === '' ? DEFAULT_BENCH_SECONDS : Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) {
    throw new ConfigError('BENCH_SECONDS', `must be a number of seconds in (0, 600], got "${raw}"`);
  }
  return { seconds, databaseUrl: env['DATABASE_URL'] || DEV_DATABASE_URL };
}

/** The routes a profile of the gateway under load can drive (`BENCH_ROUTE`). */
export const LOAD_ROUTES = ['get_run', 'submit_run'] as const;

export interface UnderLoadConfig {
  route: (typeof LOAD_ROUTES)[number];
  /** `BENCH_SERVER`: the gateway (default) or the bare baseline, to profile the same load on both. */
  server: 'gateway' | 'baseline';
}

/** `BENCH_ROUTE` and `BENCH_SERVER` of the gateway-under-load script. */
export function loadUnderLoadConfig(env: Environment = process.env): UnderLoadConfig {
  const raw = env['BENCH_ROUTE'] || 'get_run';
  const route = LOAD_ROUTES.find((candidate) => candidate === raw);
  if (!route) throw new ConfigError('BENCH_ROUTE', `must be one of ${LOAD_ROUTES.join(', ')}, got "${raw}"`);
  const server = env['BENCH_SERVER'] || 'gateway';
  if (server !== 'gateway' && server !== 'baseline') {
    throw new ConfigError('BENCH_SERVER', `must be gateway or baseline, got "${server}"`);
  }
  return { route, server };
}
