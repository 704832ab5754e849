import {
  ConfigError,
  isSecretRef,
  loadContentStoreSettings,
  loadEventStoreSettings,
  loadKafkaSettings,
  loadServiceConfig,
  parseAddressRanges,
  readChoice,
  readList,
  readPositiveInt,
  type ContentStoreSettings,
  type Environment,
  type EventStoreSettings,
  type KafkaSettings,
  type ServiceConfig,
} from '@evalvault/platform';
import type { CacheScope } from '@evalvault/llm';
import type { BatchSizes } from './planning/run-planner.js';
import { loadPluginSettings, type PluginSettings } from './plugins/plugin-settings.js';

export const DEFAULT_PORT = 8081;

export const JUDGE_PROVIDERS = ['none', 'openai', 'azure_openai', 'anthropic', 'ollama'] as const;
export type JudgeProviderName = (typeof JUDGE_PROVIDERS)[number];

export interface JudgeConfig {
  provider: JudgeProviderName;
  baseUrl: string | null;
  model: string | null;
  /** Where the API key is: `env:NAME`, `file:/path` or `vault:<mount>/<path>#<key>`; never the key itself. */
  apiKeyRef: string | null;
  /** Default budget per project in USD; null: unlimited. */
  projectBudgetUsd: number | null;
  /** The judge model's limit, shared by all workers of all processes: its profile's, else the plain variables'. */
  rateLimit: JudgeRateLimit;
  /** Limits stated per provider/model profile (`provider:model`), from EVALVAULT_JUDGE_RATE_LIMITS. */
  rateLimits: Readonly<Record<string, JudgeRateLimit>>;
  /** The rolling window the provider counts its limits in: a minute (shorter only to test). */
  rateWindowMs: number;
  /** Longest one judge call waits for the shared limit and for 429s to pass before LLM_RATE_LIMITED. */
  maxWaitMs: number;
  /** Attempts of a judge call failing otherwise (5xx, network, timeout), the first included. */
  maxAttempts: number;
  /** USD per million input / output tokens of the judge model, for costs and budgets; null: unpriced. */
  price: { inputUsdPerMillion: number; outputUsdPerMillion: number } | null;
  /**
   * Whose cached answers a judge call may be served: its own tenant's and project's (`project`), or
   * any tenant's (`global`, EVALVAULT_JUDGE_CACHE_SCOPE: only an operator turns that on).
   */
  cacheScope: CacheScope;
  /**
   * EVALVAULT_EGRESS_ALLOW: the hosts the judge's base URL may be on (loopback always); a provider elsewhere
   * stops the start (assertProviderEgress).
   */
  egressAllow: readonly string[];
  /**
   * EVALVAULT_EGRESS_ALLOW_PRIVATE: private, loopback or link-local addresses (CIDRs or exact addresses) the judge's
   * host may resolve to; checked before every call (addressCheckedProvider).
   */
  egressAllowPrivate: readonly string[];
}

/** A provider's limit as it states it: per minute, fractions allowed (0.5 rpm: a request every two minutes). */
export interface JudgeRateLimit {
  requestsPerMinute: number;
  /** Prompt plus completion tokens per minute; null: not limited. */
  tokensPerMinute: number | null;
}

export interface RunsConfig extends ServiceConfig {
  databaseUrl: string;
  kafka: KafkaSettings;
  /** Where its streams are kept: EVENT_STORE (postgres, eventstoredb) and EVENTSTOREDB_URL. */
  eventStore: EventStoreSettings;
  /** Where registered dataset content is read from: CONTENT_STORE and its variables (the registry's store). */
  contentStore: ContentStoreSettings;
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
  /**
   * Where registered dataset versions are stored as files (<dir>/<datasetId>/<version>.<ext>); null: inline
   * datasets only.
   */
  datasetDir: string | null;
  /** The secret (env:NAME or file:/path) internal identities are signed with; null: no internal API. */
  internalSecretRef: string | null;
  /** Which parts this process runs: any number of workers may share the load. */
  roles: ReadonlySet<RunsRole>;
  /** How often the scheduler role looks for due schedule slots (RUNS_SCHEDULER_INTERVAL_MS). */
  schedulerIntervalMs: number;
  judge: JudgeConfig;
  /** Metric plugins: EVALVAULT_PLUGINS, their approvals and limits (docs/plugins.md). */
  plugins: PluginSettings;
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
    ...judgeRateLimits(env, provider, env['EVALVAULT_JUDGE_MODEL'] || null),
    rateWindowMs: readPositiveInt(env, 'EVALVAULT_JUDGE_RATE_WINDOW_MS', 60_000),
    maxWaitMs: readPositiveInt(env, 'EVALVAULT_JUDGE_MAX_WAIT_MS', 300_000),
    maxAttempts: readPositiveInt(env, 'EVALVAULT_JUDGE_MAX_ATTEMPTS', 3),
    price: judgePrice(env),
    cacheScope: readChoice(env, 'EVALVAULT_JUDGE_CACHE_SCOPE', ['project', 'global'] as const, 'project'),
    egressAllow: readList(env, 'EVALVAULT_EGRESS_ALLOW').map((host) => host.toLowerCase()),
    egressAllowPrivate: judgeEgressAllowPrivate(env),
  };
  if (provider !== 'none' && !config.model)
    throw new ConfigError('EVALVAULT_JUDGE_MODEL', `is required when EVALVAULT_JUDGE_PROVIDER is ${provider}`);
  if (config.apiKeyRef && !isSecretRef(config.apiKeyRef)) {
    throw new ConfigError(
      'EVALVAULT_JUDGE_API_KEY_REF',
      'must be env:NAME, file:/absolute/path or vault:<mount>/<path>#<key> (a reference, never the key)',
    );
  }
  return config;
}

/** Requests a minute when nothing is configured: the former default of 5 a second. */
const DEFAULT_REQUESTS_PER_MINUTE = 300;

/** A rate > 0, fractions allowed; undefined when unset. */
function readRate(env: Environment, variable: string): number | undefined {
  const raw = env[variable];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new ConfigError(variable, `must be a number > 0, got "${raw}"`);
  return value;
}

/**
 * The judge's limit: EVALVAULT_JUDGE_REQUESTS_PER_MINUTE and EVALVAULT_JUDGE_TOKENS_PER_MINUTE
 * (or the older EVALVAULT_JUDGE_REQUESTS_PER_SECOND, times 60), unless the judge's own
 * provider/model has an entry in EVALVAULT_JUDGE_RATE_LIMITS, e.g.
 * `openai:gpt-4o-mini=500rpm/200000tpm,anthropic:claude-3-5-haiku-latest=50rpm`.
 */
function judgeRateLimits(
  env: Environment,
  provider: JudgeProviderName,
  model: string | null,
): Pick<JudgeConfig, 'rateLimit' | 'rateLimits'> {
  const perMinute = readRate(env, 'EVALVAULT_JUDGE_REQUESTS_PER_MINUTE');
  const perSecond = readRate(env, 'EVALVAULT_JUDGE_REQUESTS_PER_SECOND');
  if (perMinute !== undefined && perSecond !== undefined)
    throw new ConfigError(
      'EVALVAULT_JUDGE_REQUESTS_PER_SECOND',
      'is the older form of EVALVAULT_JUDGE_REQUESTS_PER_MINUTE: set one of them',
    );
  const plain: JudgeRateLimit = {
    requestsPerMinute: perMinute ?? (perSecond === undefined ? DEFAULT_REQUESTS_PER_MINUTE : perSecond * 60),
    tokensPerMinute: readRate(env, 'EVALVAULT_JUDGE_TOKENS_PER_MINUTE') ?? null,
  };
  const rateLimits: Record<string, JudgeRateLimit> = {};
  for (const entry of readList(env, 'EVALVAULT_JUDGE_RATE_LIMITS')) {
    const [key, limit] = parseProfileLimit(entry);
    rateLimits[key] = limit;
  }
  return { rateLimit: rateLimits[`${provider}:${model}`] ?? plain, rateLimits };
}

/** `provider:model=<n>rpm[/<n>tpm]`: the model may hold colons and slashes, never `=` or a comma. */
function parseProfileLimit(entry: string): [string, JudgeRateLimit] {
  const variable = 'EVALVAULT_JUDGE_RATE_LIMITS';
  const bad = (why: string): ConfigError =>
    new ConfigError(variable, `entry "${entry}" ${why} (expected provider:model=<n>rpm[/<n>tpm])`);
  const equals = entry.lastIndexOf('=');
  const key = entry.slice(0, equals).trim();
  const colon = key.indexOf(':');
  if (equals < 0 || colon <= 0 || colon === key.length - 1) throw bad('names no provider:model');
  const provider = key.slice(0, colon);
  if (provider === 'none' || !(JUDGE_PROVIDERS as readonly string[]).includes(provider))
    throw bad(`has unknown provider "${provider}"`);
  let requestsPerMinute: number | undefined;
  let tokensPerMinute: number | null = null;
  for (const part of entry.slice(equals + 1).split('/')) {
    const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(rpm|tpm)\s*$/i.exec(part);
    const value = Number(match?.[1]);
    if (!match || !(value > 0)) throw bad(`has "${part}", not a rate > 0 in rpm or tpm`);
    if (match[2]!.toLowerCase() === 'rpm') requestsPerMinute = value;
    else tokensPerMinute = value;
  }
  if (requestsPerMinute === undefined) throw bad('states no requests per minute');
  return [key, { requestsPerMinute, tokensPerMinute }];
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

/** scheduler: starts the runs of due schedule slots; watcher: compares scheduled runs with their baseline (drift). */
const ROLES = ['planner', 'worker', 'projection', 'relay', 'scheduler', 'watcher'] as const;
export type RunsRole = (typeof ROLES)[number];

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
    eventStore: loadEventStoreSettings(env),
    contentStore: loadContentStoreSettings(env),
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
    roles: new Set(roles.length > 0 ? (roles as RunsRole[]) : ROLES),
    schedulerIntervalMs: readPositiveInt(env, 'RUNS_SCHEDULER_INTERVAL_MS', 5000),
    judge: judgeConfig(env),
    plugins: loadPluginSettings(env),
  };
}

function judgeEgressAllowPrivate(env: Environment): string[] {
  const entries = readList(env, 'EVALVAULT_EGRESS_ALLOW_PRIVATE');
  try {
    parseAddressRanges(entries);
  } catch (error) {
    throw new ConfigError('EVALVAULT_EGRESS_ALLOW_PRIVATE', (error as Error).message);
  }
  return entries;
}
