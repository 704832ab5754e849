import type { ChatOptions, ChatRequest, ChatResponse, LlmProvider } from '../llm-provider.port.js';
import { LlmError, LlmErrorCode } from '../llm-error.js';
import { retryDelayMs, type BackoffPolicy } from './backoff.js';
import { sleep as realSleep, type Sleep } from './sleep.js';

export interface ReliabilityOptions extends Partial<BackoffPolicy> {
  /** Per attempt, not per call: a retry gets a fresh deadline. Default 60 s. */
  timeoutMs?: number;
  /** Attempts in all, the first included. Default 3. */
  maxAttempts?: number;
  logger?: { warn(details: object, message: string): void };
  /** Seams for tests: how to wait and where jitter comes from. */
  sleep?: Sleep;
  random?: () => number;
}

const DEFAULTS = { timeoutMs: 60_000, maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 30_000 };

/**
 * Wraps any provider with a timeout per attempt and retries of what may succeed later
 * (429, 5xx, network errors, timeouts) with exponential backoff and jitter, honouring the
 * vendor's Retry-After. A non-retryable error (400, 401, a malformed answer) fails at once.
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
      baseDelayMs: options.baseDelayMs ?? DEFAULTS.baseDelayMs,
      maxDelayMs: options.maxDelayMs ?? DEFAULTS.maxDelayMs,
    };
  }

  async chat(request: ChatRequest, options: ChatOptions = {}): Promise<ChatResponse> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(request, options.signal);
      } catch (error) {
        const failure = asLlmError(error);
        if (!failure.retryable || attempt >= this.settings.maxAttempts || options.signal?.aborted) throw failure;
        const waitMs = retryDelayMs(attempt, this.settings, failure.retryAfterMs, this.options.random);
        this.options.logger?.warn(
          { provider: this.name, model: request.model, code: failure.code, status: failure.status, attempt, waitMs },
          'LLM call failed; retrying',
        );
        await (this.options.sleep ?? realSleep)(waitMs, options.signal);
      }
    }
  }

  private async attempt(request: ChatRequest, callerSignal: AbortSignal | undefined): Promise<ChatResponse> {
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
