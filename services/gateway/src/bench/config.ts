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
