/**
 * One port for every chat model vendor: the rest of the library (retries, rate limit,
 * cache, cost) and its callers see this shape and never a vendor's wire format.
 */
export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  /** Ask for a JSON object; adapters use the vendor's JSON mode where it has one. */
  json: boolean;
  maxTokens?: number;
  temperature?: number;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface ChatResponse {
  text: string;
  usage: TokenUsage;
  /** The model the vendor says answered (often a dated version of the requested one). */
  model: string;
  /** True when the answer came from the response cache and no vendor was called. */
  cached?: boolean;
}

export interface ChatOptions {
  /** Aborts the HTTP call (the reliability wrapper combines the caller's signal with its timeout). */
  signal?: AbortSignal;
}

export interface LlmProvider {
  /** Stable name (e.g. "openai", "anthropic"): part of rate-limit and cache keys. */
  readonly name: string;
  chat(request: ChatRequest, options?: ChatOptions): Promise<ChatResponse>;
}

/** Where an API key comes from: resolved per call so a rotated secret is picked up without a restart. */
export type SecretSource = () => Promise<string>;
