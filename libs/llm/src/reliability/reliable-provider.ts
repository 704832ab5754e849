import type { ChatOptions, ChatRequest, ChatResponse, LlmProvider, TokenUsage } from '../llm-provider.port.js';
import { LlmError, LlmErrorCode } from '../llm-error.js';
import { estimatedUsage, totalTokens } from '../cost/token-estimate.js';
import type { AcquireOptions, RatePermit } from '../rate-limit/postgres-rate-limiter.js';
import { retryDelayMs, type BackoffPolicy } from './backoff.js';
import type { LlmMetrics } from './llm-metrics.js';
import { sleep as realSleep, type Sleep } from './sleep.js';

/** The part of a pino logger the wrapper uses. */
export interface LlmLogger {
  warn(details: object, message: string): void;
}

/** What every attempt passes: the shared limit (PostgresRateLimiter). */
export interface AttemptLimiter {
  acquire(provider: string, model: string, options: AcquireOptions): Promise<RatePermit>;
}

export interface ReliabilityOptions extends Partial<BackoffPolicy> {
  /** Per attempt, not per call: a retry gets a fresh deadline. Default 60 s. */
  timeoutMs?: number;
  /** Attempts in all for failures other than 429 (5xx, network errors, timeouts), the first included. Default 3. */
  maxAttempts?: number;
  /**
   * How long one call may spend waiting for the shared limit and retrying the provider's 429s
   * before it fails with LLM_RATE_LIMITED. 429s are not counted as attempts: at the limit they
   * are expected, and only this deadline ends them. Default 5 min.
   */
  maxWaitMs?: number;
  /** Taken before every attempt, retries included; a 429 is reported to it (it slows everyone). */
  limiter?: AttemptLimiter;
  logger?: LlmLogger;
  metrics?: LlmMetrics;
  /** Seams for tests: how to wait and where jitter comes from. */
  sleep?: Sleep;
  random?: () => number;
}

export interface ReliableChatOptions extends ChatOptions {
  /** Every answer the provider billed (it reported usage), retried or unusable ones included. */
  onBilled?: (usage: TokenUsage) => void | Promise<void>;
}

const DEFAULTS = { timeoutMs: 60_000, maxAttempts: 3, maxWaitMs: 300_000, baseDelayMs: 500, maxDelayMs: 30_000 };

/**
 * Wraps any provider with the shared rate limit and a timeout per attempt, and retries what
 * may succeed later (429, 5xx, network errors, timeouts) with exponential backoff and jitter,
 * honouring the vendor's Retry-After. Every attempt waits for the shared limit first; a 429
 * pauses and slows every worker through it rather than this caller alone. A non-retryable
 * error (400, 401, a malformed answer) fails at once. Every retry is logged and counted.
 */
export class ReliableLlmProvider implements LlmProvider {
  readonly name: string;
  private readonly settings: typeof DEFAULTS;

  constructor(
    private readonly inner: LlmProvider,
    private readonly options: ReliabilityOptions = {},
  ) {
    this.name = inner.name;
    this.settings = {
      timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
      maxAttempts: Math.max(1, options.maxAttempts ?? DEFAULTS.maxAttempts),
      maxWaitMs: options.maxWaitMs ?? DEFAULTS.maxWaitMs,
      baseDelayMs: options.baseDelayMs ?? DEFAULTS.baseDelayMs,
      maxDelayMs: options.maxDelayMs ?? DEFAULTS.maxDelayMs,
    };
  }

  async chat(request: ChatRequest, options: ReliableChatOptions = {}): Promise<ChatResponse> {
    const labels = { provider: this.name, model: request.model };
    try {
      const response = await this.chatWithRetries(request, options);
      this.options.metrics?.requests.inc({ ...labels, outcome: 'ok' });
      return response;
    } catch (error) {
      this.options.metrics?.requests.inc({ ...labels, outcome: reasonOf(asLlmError(error)) });
      throw error;
    }
  }

  private async chatWithRetries(request: ChatRequest, options: ReliableChatOptions): Promise<ChatResponse> {
    const deadline = Date.now() + this.settings.maxWaitMs;
    const estimate = totalTokens(estimatedUsage(request));
    const labels = { provider: this.name, model: request.model };
    const metrics = this.options.metrics;
    let failures = 0;
    let rateLimited = 0;
    for (let attempt = 1; ; attempt++) {
      const permit = this.options.limiter
        ? await this.options.limiter.acquire(this.name, request.model, {
            tokens: estimate,
            deadline,
            ...(options.signal ? { signal: options.signal } : {}),
          })
        : undefined;
      if (permit) {
        metrics?.limiterWait.observe(labels, permit.waitedMs / 1000);
        metrics?.rateShare.set(labels, permit.factor);
      }
      const stopTimer = metrics?.attemptDuration.startTimer(labels);
      const outcome = await this.attempt(request, options.signal).then(
        (response) => ({ response }),
        (error: unknown) => ({ failure: asLlmError(error) }),
      );
      stopTimer?.({ outcome: 'response' in outcome ? 'ok' : reasonOf(outcome.failure) });
      if ('response' in outcome) {
        // Outside the retry: a failure of our own bookkeeping after a paid answer must not buy it again.
        metrics?.attempts.inc({ ...labels, outcome: 'ok' });
        await permit?.settle(billedTokens(outcome.response.usage, estimate));
        await options.onBilled?.(outcome.response.usage);
        return outcome.response;
      }
      const { failure } = outcome;
      metrics?.attempts.inc({ ...labels, outcome: reasonOf(failure) });
      if (failure.usage) await options.onBilled?.(failure.usage);
      // An answered error used no tokens; an attempt we gave up on may have: keep its estimate.
      await permit?.settle(
        failure.usage ? billedTokens(failure.usage, estimate) : failure.status === undefined ? estimate : 0,
      );
      if (!failure.retryable || options.signal?.aborted) throw failure;

      let waitMs: number;
      if (failure.code === LlmErrorCode.RateLimited) {
        rateLimited += 1;
        metrics?.rateLimited.inc(labels);
        // Through the shared limit the pause is everyone's, and the next acquire waits it out.
        const penalty = permit?.slotMs === undefined ? undefined : await permit.penalize(failure.retryAfterMs);
        waitMs = penalty ? 0 : retryDelayMs(rateLimited, this.settings, failure.retryAfterMs, this.options.random);
        if (Date.now() + (penalty?.pauseMs ?? waitMs) > deadline) {
          this.giveUp(labels, attempt, failure, `no answer but 429 within ${this.settings.maxWaitMs} ms`);
          throw failure;
        }
        this.retrying(labels, attempt, failure, penalty?.pauseMs ?? waitMs, penalty?.factor);
      } else {
        failures += 1;
        if (failures >= this.settings.maxAttempts) {
          this.giveUp(labels, attempt, failure, `${failures} failed attempts`);
          throw failure;
        }
        waitMs = retryDelayMs(failures, this.settings, failure.retryAfterMs, this.options.random);
        this.retrying(labels, attempt, failure, waitMs, undefined);
      }
      if (waitMs > 0) await (this.options.sleep ?? realSleep)(waitMs, options.signal);
    }
  }

  private retrying(
    labels: { provider: string; model: string },
    attempt: number,
    failure: LlmError,
    waitMs: number,
    rateShare: number | undefined,
  ): void {
    const reason = reasonOf(failure);
    this.options.metrics?.retries.inc({ ...labels, reason });
    this.options.logger?.warn(
      {
        ...labels,
        attempt,
        reason,
        code: failure.code,
        status: failure.status,
        waitMs,
        ...(failure.retryAfterMs === undefined ? {} : { retryAfterMs: failure.retryAfterMs }),
        ...(rateShare === undefined ? {} : { rateShare }),
      },
      'LLM call failed; retrying',
    );
  }

  private giveUp(labels: { provider: string; model: string }, attempt: number, failure: LlmError, why: string): void {
    this.options.logger?.warn(
      { ...labels, attempt, code: failure.code, status: failure.status, reason: reasonOf(failure) },
      `LLM call failed; giving up after ${why}`,
    );
  }

  private async attempt(request: ChatRequest, callerSignal: AbortSignal | undefined): Promise<ChatResponse> {
    if (callerSignal?.aborted) throw new LlmError(LlmErrorCode.Aborted, `${this.name} call was aborted`);
    const timeout = AbortSignal.timeout(this.settings.timeoutMs);
    const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
    try {
      return await this.inner.chat(request, { signal });
    } catch (error) {
      // Decided here rather than trusted to the adapter: our deadline passed, not the caller's.
      if (timeout.aborted && !callerSignal?.aborted) {
        throw new LlmError(LlmErrorCode.Timeout, `${this.name} did not answer within ${this.settings.timeoutMs} ms`);
      }
      throw error;
    }
  }
}

/** rate_limited, unavailable, timeout, bad_response, ...: the code without its prefix, for labels and logs. */
function reasonOf(failure: LlmError): string {
  return failure.code.replace(/^LLM_/, '').toLowerCase();
}

/** A vendor that reports no usage at all is taken at the estimate rather than as free. */
function billedTokens(usage: TokenUsage, estimate: number): number {
  const total = totalTokens(usage);
  return total > 0 ? total : estimate;
}

/**
 * Anything else an adapter throws is a transport failure or a bug: treated as unavailable
 * (retryable), keeping only the error's name since its message or cause may hold a request.
 */
function asLlmError(error: unknown): LlmError {
  if (error instanceof LlmError) return error;
  return new LlmError(
    LlmErrorCode.Unavailable,
    `LLM call failed: ${error instanceof Error ? error.name : 'unknown error'}`,
  );
}
