import type { ChatRequest, TokenUsage } from '../llm-provider.port.js';

/** About four characters a token: good enough to reserve and budget before a call, never billed. */
export const CHARS_PER_TOKEN = 4;
/** The answer's length when a request sets no max tokens: the most it is likely to be. */
export const ESTIMATED_ANSWER_TOKENS = 1024;

/** Prompt and answer tokens a request may use, estimated from its text and its max tokens. */
export function estimatedUsage(request: ChatRequest): TokenUsage {
  const promptChars = request.messages.reduce((sum, message) => sum + message.content.length, 0);
  return {
    promptTokens: Math.ceil(promptChars / CHARS_PER_TOKEN),
    completionTokens: request.maxTokens ?? ESTIMATED_ANSWER_TOKENS,
  };
}

export function totalTokens(usage: TokenUsage): number {
  return usage.promptTokens + usage.completionTokens;
}
