import type { ChatOptions, ChatRequest, ChatResponse, LlmProvider, SecretSource } from '../llm-provider.port.js';
import { postJson } from '../http/post-json.js';
import { asRecord, badResponse, tokenCount } from '../http/response-shape.js';

export interface OllamaOptions {
  /** e.g. http://127.0.0.1:11434 */
  baseUrl: string;
  /** Ollama itself has no auth; a key is sent as a Bearer token for a server behind an authenticating proxy. */
  apiKey?: SecretSource;
  name?: string;
}

/**
 * Ollama's native chat API (github.com/ollama/ollama/blob/main/docs/api.md, "Generate a chat
 * completion"): `POST {baseUrl}/api/chat` with {model, messages, stream: false, format: "json"?,
 * options: {temperature, num_predict}}; answer message.content, prompt_eval_count and eval_count.
 */
export class OllamaProvider implements LlmProvider {
  readonly name: string;
  private readonly url: string;

  constructor(private readonly options: OllamaOptions) {
    this.name = options.name ?? 'ollama';
    this.url = `${options.baseUrl.replace(/\/+$/, '')}/api/chat`;
  }

  async chat(request: ChatRequest, options: ChatOptions = {}): Promise<ChatResponse> {
    const key = this.options.apiKey ? await this.options.apiKey() : undefined;
    const modelOptions = {
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
      ...(request.maxTokens === undefined ? {} : { num_predict: request.maxTokens }),
    };
    const answer = asRecord(
      await postJson({
        vendor: this.name,
        url: this.url,
        headers: key ? { authorization: `Bearer ${key}` } : {},
        // stream: false — the endpoint streams NDJSON by default; we want one answer object.
        body: {
          model: request.model,
          messages: request.messages,
          stream: false,
          ...(request.json ? { format: 'json' } : {}),
          ...(Object.keys(modelOptions).length > 0 ? { options: modelOptions } : {}),
        },
        ...(key ? { secret: key } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      }),
    );
    const usage = {
      promptTokens: tokenCount(answer?.['prompt_eval_count']),
      completionTokens: tokenCount(answer?.['eval_count']),
    };
    const content = asRecord(answer?.['message'])?.['content'];
    if (typeof content !== 'string') throw badResponse(this.name, 'message.content', usage);
    return {
      text: content,
      usage,
      model: typeof answer?.['model'] === 'string' ? answer['model'] : request.model,
    };
  }
}
