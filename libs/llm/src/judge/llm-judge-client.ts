import { trace } from '@opentelemetry/api';
import { inSpan } from '@evalvault/platform';
import type { ChatMessage, ChatRequest, LlmProvider, TokenUsage } from '../llm-provider.port.js';
import { LlmError, LlmErrorCode } from '../llm-error.js';
import type { BudgetGuard, SpendCaps } from '../budget/budget-guard.js';
import type { LlmOwner } from '../llm-owner.js';
import type { ResponseCache } from '../cache/response-cache.js';
import { PriceTable } from '../cost/price-table.js';
import { estimatedUsage } from '../cost/token-estimate.js';
import type { UsageMeter } from '../cost/usage-meter.js';
import type { PostgresRateLimiter } from '../rate-limit/postgres-rate-limiter.js';
import { ReliableLlmProvider, type ReliabilityOptions } from '../reliability/reliable-provider.js';

/** Structurally the evaluation domain's JudgeRequest (this library must not depend on the domain). */
export interface JudgeCompletionRequest {
  purpose: string;
  system?: string;
  prompt: string;
  json: boolean;
}

export interface LlmJudgeClientOptions {
  /** The bare adapter; the client adds the reliability wrapper itself. */
  provider: LlmProvider;
  model: string;
  /** Whose budget pays and whose cached answers may be served: a tenant's project. */
  owner: LlmOwner;
  /** The run's meter. */
  meter: UsageMeter;
  prices?: PriceTable;
  cache?: ResponseCache;
  budget?: BudgetGuard;
  /** The owner's caps per day and month (its project's policy), checked with the budget before each call. */
  caps?: SpendCaps;
  /** Taken before every attempt, retries included (ReliableLlmProvider). */
  rateLimiter?: PostgresRateLimiter;
  reliability?: ReliabilityOptions;
  /** Default 0: a judgement should be repeatable, which is also what makes it cacheable. */
  temperature?: number;
  maxTokens?: number;
  /** Cancels waits and calls when the run is cancelled. */
  signal?: AbortSignal;
}

/**
 * The evaluation domain's LlmJudge over any provider, composed as cache → budget → retries
 * around (shared rate limit → timeout → provider) per attempt. A cache hit spends nothing and
 * calls nobody; every answer the provider billed — a retried or unusable one included — is
 * metered and added to the project's spend, in a span per call.
 */
export class LlmJudgeClient {
  private readonly provider: ReliableLlmProvider;
  private readonly prices: PriceTable;

  constructor(private readonly options: LlmJudgeClientOptions) {
    this.provider = new ReliableLlmProvider(options.provider, {
      ...options.reliability,
      ...(options.rateLimiter ? { limiter: options.rateLimiter } : {}),
    });
    this.prices = options.prices ?? new PriceTable();
  }

  complete(request: JudgeCompletionRequest): Promise<string> {
    const { model, owner } = this.options;
    const attributes = {
      'llm.purpose': request.purpose,
      'llm.provider': this.provider.name,
      'llm.model': model,
      'evalvault.tenant_id': owner.tenantId,
      'evalvault.project_id': owner.projectId,
    };
    return inSpan('llm.judge', attributes, async () => {
      const chat = this.chatRequest(request);
      const hit = await this.options.cache?.get(owner, this.provider.name, chat);
      if (hit) {
        this.options.meter.recordCacheHit(request.purpose);
        this.options.reliability?.metrics?.cacheHits.inc({ provider: this.provider.name, model });
        trace.getActiveSpan()?.setAttribute('llm.cached', true);
        return hit.text;
      }
      await this.options.budget?.check(owner, this.estimatedCostUsd(chat), this.options.caps);
      const billed = { promptTokens: 0, completionTokens: 0, costUsd: 0 };
      const response = await this.provider
        .chat(chat, { ...this.signalOption(), onBilled: (usage) => this.account(request.purpose, usage, billed) })
        .finally(() =>
          trace.getActiveSpan()?.setAttributes({
            'llm.cached': false,
            'llm.usage.prompt_tokens': billed.promptTokens,
            'llm.usage.completion_tokens': billed.completionTokens,
            'llm.cost_usd': billed.costUsd,
          }),
        );
      if (request.json && !isJson(response.text)) {
        throw new LlmError(
          LlmErrorCode.BadResponse,
          `${this.provider.name} answered ${request.purpose} with text that is not JSON`,
        );
      }
      await this.options.cache?.put(owner, this.provider.name, chat, response);
      return response.text;
    });
  }

  private chatRequest(request: JudgeCompletionRequest): ChatRequest {
    const messages: ChatMessage[] = request.system === undefined ? [] : [{ role: 'system', content: request.system }];
    messages.push({ role: 'user', content: request.prompt });
    return {
      model: this.options.model,
      messages,
      json: request.json,
      temperature: this.options.temperature ?? 0,
      ...(this.options.maxTokens === undefined ? {} : { maxTokens: this.options.maxTokens }),
    };
  }

  /** Budget estimate before the call: the prompt's length in tokens, and the answer as long as allowed. */
  private estimatedCostUsd(chat: ChatRequest): number {
    return this.prices.costOf(chat.model, estimatedUsage(chat)).costUsd;
  }

  /**
   * Every answer the provider billed, whatever it turns out to be (unusable, or one attempt of
   * several), recorded as it arrives; `billed` sums the call's for its span.
   */
  private async account(
    purpose: string,
    usage: TokenUsage,
    billed: { promptTokens: number; completionTokens: number; costUsd: number },
  ): Promise<void> {
    const { costUsd, priced } = this.prices.costOf(this.options.model, usage);
    this.options.meter.recordCall({ purpose, usage, costUsd, priced });
    this.countUsage(usage, costUsd);
    billed.promptTokens += usage.promptTokens;
    billed.completionTokens += usage.completionTokens;
    billed.costUsd += costUsd;
    if (costUsd > 0) await this.options.budget?.record(this.options.owner, costUsd);
  }

  /** llm_tokens_total and llm_cost_usd_total, when the client was given the metrics. */
  private countUsage(usage: TokenUsage, costUsd: number): void {
    const metrics = this.options.reliability?.metrics;
    if (!metrics) return;
    const labels = { provider: this.provider.name, model: this.options.model };
    metrics.tokens.inc({ ...labels, kind: 'prompt' }, usage.promptTokens);
    metrics.tokens.inc({ ...labels, kind: 'completion' }, usage.completionTokens);
    if (costUsd > 0) metrics.costUsd.inc(labels, costUsd);
  }

  private signalOption(): { signal?: AbortSignal } {
    return this.options.signal ? { signal: this.options.signal } : {};
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
