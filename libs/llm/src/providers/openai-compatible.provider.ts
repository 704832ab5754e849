import type { ChatOptions, ChatRequest, ChatResponse, LlmProvider, SecretSource } from '../llm-provider.port.js';
import { postJson } from '../http/post-json.js';
import { chatCompletionsBody, chatCompletionsResponse } from './openai-chat-format.js';

export interface OpenAiCompatibleOptions {
  /** e.g. https://api.openai.com, or a vLLM / LiteLLM / LM Studio server; without the /v1 path. */
  baseUrl: string;
  apiKey: SecretSource;
  /** Distinguishes two OpenAI-compatible servers in rate-limit and cache keys. */
  name?: string;
}

/** OpenAI and any server speaking its Chat Completions API: `POST {baseUrl}/v1/chat/completions` with a Bearer key. */
export class OpenAiCompatibleProvider implements LlmProvider {
  readonly name: string;
  private readonly url: string;

  constructor(private readonly options: OpenAiCompatibleOptions) {
    this.name = options.name ?? 'openai';
    this.url = `${options.baseUrl.replace(/\/+$/, '')}/v1/chat/completions`;
  }

  async chat(request: ChatRequest, options: ChatOptions = {}): Promise<ChatResponse> {
    const key = await this.options.apiKey();
    const body = await postJson({
      vendor: this.name,
      url: this.url,
      headers: { authorization: `Bearer ${key}` },
      body: chatCompletionsBody(request, { includeModel: true }),
      secret: key,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return chatCompletionsResponse(this.name, body, request.model);
  }
}
