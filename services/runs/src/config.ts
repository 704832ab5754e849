import {
  ConfigError,
  loadKafkaSettings,
  loadServiceConfig,
  readChoice,
  readList,
  readPositiveInt,
  type Environment,
  type KafkaSettings,
  type ServiceConfig,
} from '@evalvault/platform';
import type { BatchSizes } from './planning/run-planner.js';

export const DEFAULT_PORT = 8081;

export const JUDGE_PROVIDERS = ['none', 'openai', 'azure_openai', 'anthropic', 'ollama'] as const;
export type JudgeProviderName = (typeof JUDGE_PROVIDERS)[number];

export interface JudgeConfig {
  provider: JudgeProviderName;
  baseUrl: string | null;
  model: string | null;
  /** Where the API key is: `env:NAME` or `file:/path`; never the key itself. */
  apiKeyRef: string | null;
  /** Default budget per project in USD; null: unlimited. */
  projectBudgetUsd: number | null;
  /** Judge requests per second allowed across all workers. */
  requestsPerSecond: number;
  /** USD per million input / output tokens of the judge model, for costs and budgets; null: unpriced. */
  price: { inputUsdPerMillion: number; outputUsdPerMillion: number } | null;
}

export interface RunsConfig extends ServiceConfig {
  databaseUrl: string;
  kafka: KafkaSettings;
  /** Cases a worker scores at once. */
  workerConcurrency: number;
  /** Cases per work message, for runs with an LLM-judged metric and for the others. */
  batchSizes: BatchSizes;
  /** Where a new consumer group starts: `earliest` (default: nothing retained is missed) or `latest`. */
  consumerStart: 'earliest' | 'latest';
  /** Consumer groups are `<prefix>-planner`, `<prefix>-workers`, `<prefix>-read-model`. */
  groupPrefix: string;
  /** The relay's checkpoint name, and where a relay without a checkpoint starts in the event log. */
  relayName: string;
  relayStart: 'earliest' | 'latest';
  /** Where registered dataset versions are stored as files (<dir>/<datasetId>/<version>.<ext>); null: inline datasets only. */
  datasetDir: string | null;
  /** The secret (env:NAME or file:/path) internal identities are signed with; null: no internal API. */
  internalSecretRef: string | null;
  /** Which parts this process runs: any number of workers may share the load. */
  roles: ReadonlySet<'planner' | 'worker' | 'projection' | 'relay'>;
  judge: JudgeConfig;
}

function judgeConfig(env: Environment): JudgeConfig {
  const provider = (env['EVALVAULT_JUDGE_PROVIDER'] || 'none') as JudgeProviderName;
  if (!JUDGE_PROVIDERS.includes(provider))
    throw new ConfigError(
      'EVALVAULT_JUDGE_PROVIDER',
      `must be one of ${JUDGE_PROVIDERS.join(', ')}, got "${provider}"`,
    );
  const budget = env['EVALVAULT_PROJECT_BUDGET_USD'];
  if (budget && !(Number(budget) >= 0))
    throw new ConfigError('EVALVAULT_PROJECT_BUDGET_USD', `must be a number of dollars >= 0, got "${budget}"`);
  const config: JudgeConfig = {
    provider,
    baseUrl: env['EVALVAULT_JUDGE_BASE_URL'] || null,
    model: env['EVALVAULT_JUDGE_MODEL'] || null,
    apiKeyRef: env['EVALVAULT_JUDGE_API_KEY_REF'] || null,
    projectBudgetUsd: budget ? Number(budget) : null,
    requestsPerSecond: readPositiveInt(env, 'EVALVAULT_JUDGE_REQUESTS_PER_SECOND', 5),
    price: judgePrice(env),
  };
  if (provider !== 'none' && !config.model)
    throw new ConfigError('EVALVAULT_JUDGE_MODEL', `is required when EVALVAULT_JUDGE_PROVIDER is ${provider}`);
  if (config.apiKeyRef && !/^(env:[A-Za-z_][A-Za-z0-9_]*|file:\/.+)$/.test(config.apiKeyRef)) {
    throw new ConfigError(
      'EVALVAULT_JUDGE_API_KEY_REF',
      'must be env:NAME or file:/absolute/path (a reference, never the key)',
    );
  }
  return config;
}

function judgePrice(env: Environment): JudgeConfig['price'] {
  const input = env['EVALVAULT_JUDGE_PRICE_INPUT_PER_MTOK'];
  const output = env['EVALVAULT_JUDGE_PRICE_OUTPUT_PER_MTOK'];
  if (!input && !output) return null;
  for (const [variable, value] of [
    ['EVALVAULT_JUDGE_PRICE_INPUT_PER_MTOK', input],
    ['EVALVAULT_JUDGE_PRICE_OUTPUT_PER_MTOK', output],
  ] as const) {
    if (!value || !(Number(value) >= 0))
      throw new ConfigError(variable, `must be USD per million tokens >= 0 (set both prices), got "${value ?? ''}"`);
  }
  return { inputUsdPerMillion: Number(input), outputUsdPerMillion: Number(output) };
}

const ROLES = ['planner', 'worker', 'projection', 'relay'] as const;

/** The only place this service reads its environment. */
export function loadConfig(env: Environment): RunsConfig {
  const roles = readList(env, 'RUNS_ROLES');
  const unknown = roles.filter((role) => !(ROLES as readonly string[]).includes(role));
  if (unknown.length > 0)
    throw new ConfigError('RUNS_ROLES', `has unknown role(s) ${unknown.join(', ')}; known: ${ROLES.join(', ')}`);
  return {
    ...loadServiceConfig('runs', env, DEFAULT_PORT),
    databaseUrl: env['DATABASE_URL'] || 'postgres://evalvault_runs@127.0.0.1:5432/evalvault',
    kafka: loadKafkaSettings(env, 'evalvault-runs'),
    workerConcurrency: readPositiveInt(env, 'RUNS_WORKER_CONCURRENCY', 4),
    batchSizes: {
      judged: readPositiveInt(env, 'RUNS_BATCH_SIZE', 20),
      deterministic: readPositiveInt(env, 'RUNS_DETERMINISTIC_BATCH_SIZE', 200),
    },
    datasetDir: env['EVALVAULT_DATASET_DIR'] || null,
    internalSecretRef: env['EVALVAULT_INTERNAL_SECRET_REF'] || null,
    consumerStart: readChoice(env, 'RUNS_CONSUMER_START', ['earliest', 'latest'] as const, 'earliest'),
    groupPrefix: env['RUNS_GROUP_PREFIX'] || 'runs',
    relayName: env['RUNS_RELAY_NAME'] || 'runs',
    relayStart: readChoice(env, 'RUNS_RELAY_START', ['earliest', 'latest'] as const, 'earliest'),
    roles: new Set(roles.length > 0 ? (roles as (typeof ROLES)[number][]) : ROLES),
    judge: judgeConfig(env),
  };
}
