import { createHash } from 'node:crypto';
import type { ChatRequest } from '../llm-provider.port.js';

/**
 * sha256 over everything that changes the answer: provider, model, messages, JSON mode,
 * temperature, and maxTokens too (a cap that truncated one answer must not serve a larger
 * one). A JSON array keeps the fields apart, so no two requests share a serialisation.
 */
export function cacheKey(provider: string, request: ChatRequest): string {
  const fingerprint = JSON.stringify([
    provider,
    request.model,
    request.messages.map(({ role, content }) => [role, content]),
    request.json,
    request.temperature ?? null,
    request.maxTokens ?? null,
  ]);
  return createHash('sha256').update(fingerprint).digest('hex');
}
