import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The LLM calls' Prometheus series, registered once per registry. */
export interface LlmMetrics {
  /** Calls (one chat, however many attempts), by how they ended: ok or the last failure's reason. */
  requests: Counter<'provider' | 'model' | 'outcome'>;
  /** Time the provider took to answer one attempt (the wait for the rate limit is not in it). */
  attemptDuration: Histogram<'provider' | 'model' | 'outcome'>;
  /** Tokens the provider billed, by kind (prompt, completion). */
  tokens: Counter<'provider' | 'model' | 'kind'>;
  /** What the billed tokens cost at the price table's rates; unpriced models add nothing. */
  costUsd: Counter<'provider' | 'model'>;
  /** Judgements answered from the response cache (no call, no cost). */
  cacheHits: Counter<'provider' | 'model'>;
  /** Every attempt sent to a provider, retries included, by outcome (ok, rate_limited, unavailable, ...). */
  attempts: Counter<'provider' | 'model' | 'outcome'>;
  /** Attempts made again, by why the previous one failed (rate_limited, unavailable, timeout). */
  retries: Counter<'provider' | 'model' | 'reason'>;
  /** Answers of 429 from the provider. */
  rateLimited: Counter<'provider' | 'model'>;
  /** Time an attempt waited for the shared rate limit before it could be sent. */
  limiterWait: Histogram<'provider' | 'model'>;
  /** The share of the configured rate limit in force (below 1 after 429s, climbing back). */
  rateShare: Gauge<'provider' | 'model'>;
}

const cache = new WeakMap<Registry, LlmMetrics>();

export function llmMetrics(registry: Registry): LlmMetrics {
  let metrics = cache.get(registry);
  if (!metrics) {
    metrics = {
      requests: new Counter({
        name: 'llm_requests_total',
        help: 'LLM calls (retries inside one call not counted again), by outcome.',
        labelNames: ['provider', 'model', 'outcome'],
        registers: [registry],
      }),
      attemptDuration: new Histogram({
        name: 'llm_request_duration_seconds',
        help: 'Time an LLM provider took to answer one attempt, by outcome.',
        labelNames: ['provider', 'model', 'outcome'],
        buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120],
        registers: [registry],
      }),
      tokens: new Counter({
        name: 'llm_tokens_total',
        help: 'Tokens LLM providers billed, by kind (prompt, completion).',
        labelNames: ['provider', 'model', 'kind'],
        registers: [registry],
      }),
      costUsd: new Counter({
        name: 'llm_cost_usd_total',
        help: 'Cost of the billed LLM tokens in US dollars (priced models only).',
        labelNames: ['provider', 'model'],
        registers: [registry],
      }),
      cacheHits: new Counter({
        name: 'llm_cache_hits_total',
        help: 'LLM judgements answered from the response cache.',
        labelNames: ['provider', 'model'],
        registers: [registry],
      }),
      attempts: new Counter({
        name: 'llm_attempts_total',
        help: 'LLM provider attempts, retries included, by outcome.',
        labelNames: ['provider', 'model', 'outcome'],
        registers: [registry],
      }),
      retries: new Counter({
        name: 'llm_retries_total',
        help: 'LLM attempts retried, by the reason the previous attempt failed.',
        labelNames: ['provider', 'model', 'reason'],
        registers: [registry],
      }),
      rateLimited: new Counter({
        name: 'llm_rate_limited_total',
        help: 'LLM provider answers of 429 (rate limited).',
        labelNames: ['provider', 'model'],
        registers: [registry],
      }),
      limiterWait: new Histogram({
        name: 'llm_rate_limit_wait_seconds',
        help: 'Time an LLM attempt waited for the shared rate limit.',
        labelNames: ['provider', 'model'],
        buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
        registers: [registry],
      }),
      rateShare: new Gauge({
        name: 'llm_rate_limit_share',
        help: 'Share of the configured LLM rate limit in force (adaptive: lowered by 429s).',
        labelNames: ['provider', 'model'],
        registers: [registry],
      }),
    };
    cache.set(registry, metrics);
  }
  return metrics;
}
