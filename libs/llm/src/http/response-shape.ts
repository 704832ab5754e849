import { LlmError, LlmErrorCode } from '../llm-error.js';

/** A 200 whose body lacks what the vendor's documented format promises. */
export function badResponse(vendor: string, what: string): LlmError {
  return new LlmError(LlmErrorCode.BadResponse, `${vendor} answer has no ${what}`, { status: 200 });
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
