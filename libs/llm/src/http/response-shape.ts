import { LlmError, LlmErrorCode } from '../llm-error.js';
import type { TokenUsage } from '../llm-provider.port.js';

/** A 200 whose body lacks what the vendor's documented format promises; paid for all the same when it says so. */
export function badResponse(vendor: string, what: string, usage?: TokenUsage): LlmError {
  const billed = usage && usage.promptTokens + usage.completionTokens > 0 ? { usage } : {};
  return new LlmError(LlmErrorCode.BadResponse, `${vendor} answer has no ${what}`, { status: 200, ...billed });
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** Token counts some servers omit (Ollama skips prompt_eval_count for a cached prompt): absent counts as 0. */
export function tokenCount(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}
