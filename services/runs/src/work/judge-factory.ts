import type pg from 'pg';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { LlmJudge } from '@evalvault/evaluation';
import {
  addressCheckedProvider,
  AnthropicProvider,
  assertProviderEgress,
  AzureOpenAiProvider,
  BudgetGuard,
  LlmJudgeClient,
  llmMetrics,
  OllamaProvider,
  OpenAiCompatibleProvider,
  PriceTable,
  PostgresRateLimiter,
  ResponseCache,
  type LlmOwner,
  type LlmProvider,
  type SpendCaps,
  type UsageMeter,
} from '@evalvault/llm';
import { parseAddressRanges, type SecretResolver } from '@evalvault/platform';
import type { JudgeConfig } from '../config.js';

/** What else a case's judge may be given: the run's cancellation, and its project policy's spending caps. */
export interface JudgeCallOptions {
  signal?: AbortSignal;
  caps?: SpendCaps;
}

/**
 * Builds the judge of one case: the budget, caps and cached answers of the run's tenant and project,
 * the shared rate limit, the case's own usage meter.
 */
export type JudgeFactory = (owner: LlmOwner, meter: UsageMeter, options?: JudgeCallOptions) => LlmJudge | null;

export const LLM_SCHEMA = 'runs';

/** Where each provider is reached when EVALVAULT_JUDGE_BASE_URL is unset (Azure has no default). */
const DEFAULT_BASE_URLS: Record<Exclude<JudgeConfig['provider'], 'none'>, string> = {
  openai: 'https://api.openai.com',
  azure_openai: '',
  anthropic: 'https://api.anthropic.com',
  ollama: 'http://127.0.0.1:11434',
};

function provider(config: JudgeConfig, secrets: SecretResolver): LlmProvider {
  if (config.provider === 'none') throw new Error('no judge provider configured');
  const apiKey = async (): Promise<string> => (config.apiKeyRef ? secrets(config.apiKeyRef) : '');
  const baseUrl = config.baseUrl || DEFAULT_BASE_URLS[config.provider];
  // Refused here, when the service starts: not at the first case, with the run's data in hand.
  assertProviderEgress(config.provider, baseUrl, config.egressAllow);
  const checked = (inner: LlmProvider): LlmProvider =>
    addressCheckedProvider(inner, baseUrl, {
      allow: config.egressAllow,
      allowPrivate: parseAddressRanges(config.egressAllowPrivate),
    });
  switch (config.provider) {
    case 'openai':
      return checked(new OpenAiCompatibleProvider({ baseUrl, apiKey }));
    case 'azure_openai':
      return checked(new AzureOpenAiProvider({ endpoint: baseUrl, deployment: config.model!, apiKey }));
    case 'anthropic':
      return checked(new AnthropicProvider({ baseUrl, apiKey }));
    case 'ollama':
      return checked(new OllamaProvider({ baseUrl, ...(config.apiKeyRef ? { apiKey } : {}) }));
  }
}

/** Where the judge's retries are logged and counted: the service's logger and metrics registry. */
export interface JudgeObservability {
  logger?: Logger;
  registry?: Registry;
}

/**
 * The judge's shared limit: the provider's stated requests and tokens per minute, per window
 * (a minute unless testing), for the configured provider/model profile.
 */
export function judgeRateLimiter(config: JudgeConfig, pool: pg.Pool): PostgresRateLimiter {
  const perWindow = config.rateWindowMs / 60_000;
  return new PostgresRateLimiter(pool, LLM_SCHEMA, {
    windowMs: config.rateWindowMs,
    maxWaitMs: config.maxWaitMs,
    limitFor: (_provider, model) => {
      const limit = config.rateLimits[`${config.provider}:${model}`] ?? config.rateLimit;
      return {
        requestsPerWindow: limit.requestsPerMinute * perWindow,
        tokensPerWindow: limit.tokensPerMinute === null ? undefined : limit.tokensPerMinute * perWindow,
      };
    },
  });
}

export function judgeFactory(
  config: JudgeConfig,
  pool: pg.Pool,
  secrets: SecretResolver,
  observability: JudgeObservability = {},
): JudgeFactory {
  if (config.provider === 'none') return () => null;
  const shared = {
    provider: provider(config, secrets),
    model: config.model!,
    prices: new PriceTable(config.price ? { [config.model!]: config.price } : {}),
    cache: new ResponseCache(pool, LLM_SCHEMA, { scope: config.cacheScope }),
    budget: new BudgetGuard(
      pool,
      LLM_SCHEMA,
      config.projectBudgetUsd === null ? {} : { defaultBudgetUsd: config.projectBudgetUsd },
    ),
    // One limit per (provider, model) shared by every worker of every process through PostgreSQL,
    // taken before every attempt, retries included.
    rateLimiter: judgeRateLimiter(config, pool),
    reliability: {
      maxWaitMs: config.maxWaitMs,
      maxAttempts: config.maxAttempts,
      ...(observability.logger ? { logger: observability.logger } : {}),
      ...(observability.registry ? { metrics: llmMetrics(observability.registry) } : {}),
    },
  };
  return (owner, meter, options = {}) => new LlmJudgeClient({ ...shared, owner, meter, ...options });
}
