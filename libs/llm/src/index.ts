// Public API of @evalvault/llm.
export type {
  ChatMessage,
  ChatOptions,
  ChatRequest,
  ChatResponse,
  ChatRole,
  LlmProvider,
  SecretSource,
  TokenUsage,
} from './llm-provider.port.js';
export { LlmError, LlmErrorCode, codeForStatus, type LlmErrorDetails } from './llm-error.js';
export { OpenAiCompatibleProvider, type OpenAiCompatibleOptions } from './providers/openai-compatible.provider.js';
export {
  AzureOpenAiProvider,
  DEFAULT_AZURE_API_VERSION,
  type AzureOpenAiOptions,
} from './providers/azure-openai.provider.js';
export { AnthropicProvider, ANTHROPIC_VERSION, type AnthropicOptions } from './providers/anthropic.provider.js';
export { OllamaProvider, type OllamaOptions } from './providers/ollama.provider.js';
export {
  addressCheckedProvider,
  assertProviderEgress,
  LlmEgressError,
  type ProviderEgressPolicy,
} from './providers/provider-egress.js';
export { parseRetryAfter, retryAfterMs } from './http/retry-after.js';
export {
  ReliableLlmProvider,
  type AttemptLimiter,
  type LlmLogger,
  type ReliabilityOptions,
  type ReliableChatOptions,
} from './reliability/reliable-provider.js';
export { llmMetrics, type LlmMetrics } from './reliability/llm-metrics.js';
export { retryDelayMs, type BackoffPolicy } from './reliability/backoff.js';
export type { Sleep } from './reliability/sleep.js';
export {
  PostgresRateLimiter,
  type AcquireOptions,
  type AdaptiveOptions,
  type Penalty,
  type PostgresRateLimiterOptions,
  type RateLimit,
  type RatePermit,
} from './rate-limit/postgres-rate-limiter.js';
export { estimatedUsage, totalTokens } from './cost/token-estimate.js';
export { PriceTable, type Cost, type ModelPrice } from './cost/price-table.js';
export { UsageMeter, type UsageRecord, type UsageSummary, type UsageTotals } from './cost/usage-meter.js';
export {
  BudgetGuard,
  type BudgetGuardOptions,
  type PeriodSpend,
  type ProjectSpend,
  type SpendCaps,
} from './budget/budget-guard.js';
export { ResponseCache, type CacheScope, type ResponseCacheOptions } from './cache/response-cache.js';
export type { LlmOwner } from './llm-owner.js';
export { cacheKey } from './cache/cache-key.js';
export {
  llmMigrations,
  budgetMigration,
  dailySpendMigration,
  rateLimitMigration,
  rateWindowMigration,
  responseCacheMigration,
  tenantScopeMigration,
} from './migrations.js';
export { LlmJudgeClient, type JudgeCompletionRequest, type LlmJudgeClientOptions } from './judge/llm-judge-client.js';
