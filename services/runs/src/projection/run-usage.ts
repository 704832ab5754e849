import type { LlmUsage } from '@evalvault/contracts';

/** No LLM calls: what a case without usage (deterministic metrics, or CaseFailed v1) adds. */
export const NO_USAGE: LlmUsage = { requests: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, cacheHits: 0 };

/** The usage of several cases together; a case without usage made no calls. */
export function sumUsage(usages: ReadonlyArray<LlmUsage | null | undefined>): LlmUsage {
  return usages.reduce<LlmUsage>(
    (total, usage) =>
      usage
        ? {
            requests: total.requests + usage.requests,
            promptTokens: total.promptTokens + usage.promptTokens,
            completionTokens: total.completionTokens + usage.completionTokens,
            costUsd: total.costUsd + usage.costUsd,
            cacheHits: total.cacheHits + usage.cacheHits,
          }
        : total,
    NO_USAGE,
  );
}

/**
 * The running usage grows with each case counted for the first time; RunCompleted later sets the
 * authoritative totals. Its parameters are $5 to $9 (usageParams). A row from before the usage columns keeps
 * them NULL (NULL + n): a partial count would read as the run's, and its totals come with RunCompleted.
 */
export const ADD_USAGE = `llm_requests = llm_requests + $5, prompt_tokens = prompt_tokens + $6,
  completion_tokens = completion_tokens + $7, cost_usd = cost_usd + $8::numeric, cache_hits = cache_hits + $9`;

/** The usage as the parameters of ADD_USAGE ($5 to $9, after the run id, tenant, project and a count). */
export const usageParams = (usage: LlmUsage): unknown[] => [
  usage.requests,
  usage.promptTokens,
  usage.completionTokens,
  usage.costUsd,
  usage.cacheHits,
];
