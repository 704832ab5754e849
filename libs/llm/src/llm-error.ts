import type { TokenUsage } from './llm-provider.port.js';

/** Why an LLM call failed; callers branch on the code, never on a vendor's message. */
export enum LlmErrorCode {
  BadRequest = 'LLM_BAD_REQUEST',
  Auth = 'LLM_AUTH',
  RateLimited = 'LLM_RATE_LIMITED',
  Unavailable = 'LLM_UNAVAILABLE',
  Timeout = 'LLM_TIMEOUT',
  BadResponse = 'LLM_BAD_RESPONSE',
  BudgetExceeded = 'LLM_BUDGET_EXCEEDED',
  Aborted = 'LLM_ABORTED',
}

/** Worth another attempt: the same request may succeed later. Everything else fails at once. */
const RETRYABLE = new Set<LlmErrorCode>([LlmErrorCode.RateLimited, LlmErrorCode.Unavailable, LlmErrorCode.Timeout]);

export interface LlmErrorDetails {
  /** The vendor's HTTP status, when there was an answer. */
  status?: number;
  /** How long the vendor asked us to wait (Retry-After), in ms. */
  retryAfterMs?: number;
  /** What the vendor billed for an answer that was received but unusable (a 200 of the wrong shape). */
  usage?: TokenUsage;
  cause?: unknown;
}

/**
 * Messages are short and safe to log: a code, the vendor, the status and a trimmed reason,
 * never a key or a request body.
 */
export class LlmError extends Error {
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly usage: TokenUsage | undefined;

  constructor(
    readonly code: LlmErrorCode,
    message: string,
    details: LlmErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'LlmError';
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.usage = details.usage;
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.code);
  }
}

/**
 * The code for an HTTP error status, following the vendors' documented semantics (and what
 * their official SDKs retry: 408, 409, 429, >= 500 — Anthropic's 529 "overloaded" included).
 */
export function codeForStatus(status: number): LlmErrorCode {
  if (status === 401 || status === 403) return LlmErrorCode.Auth;
  if (status === 429) return LlmErrorCode.RateLimited;
  if (status === 408 || status === 409 || status >= 500) return LlmErrorCode.Unavailable;
  return LlmErrorCode.BadRequest;
}
