import type { ChatOptions, ChatRequest, ChatResponse, LlmProvider, SecretSource } from '../llm-provider.port.js';
import { postJson } from '../http/post-json.js';
import { asRecord, badResponse, tokenCount } from '../http/response-shape.js';

export const ANTHROPIC_VERSION = '2023-06-01';
const DEFAULT_MAX_TOKENS = 1024;
const JSON_INSTRUCTION = 'Respond with a single JSON object and nothing else: no prose, no code fence.';

export interface AnthropicOptions {
  apiKey: SecretSource;
  baseUrl?: string;
  /** max_tokens is required by the Messages API; used when a request sets none. */
  defaultMaxTokens?: number;
  name?: string;
}

/**
 * Anthropic Messages API (docs.anthropic.com/en/api/messages): `POST {baseUrl}/v1/messages`
 * with `x-api-key` and `anthropic-version: 2023-06-01`; body {model, max_tokens (required),
 * system (top level), messages (user/assistant only), temperature?}; answer content[] blocks,
 * of which the `text` ones carry the reply, and usage.input_tokens / usage.output_tokens.
 */
export class AnthropicProvider implements LlmProvider {
  readonly name: string;
  private readonly url: string;

  constructor(private readonly options: AnthropicOptions) {
    this.name = options.name ?? 'anthropic';
    this.url = `${(options.baseUrl ?? 'https://api.anthropic.com').replace(/\/+$/, '')}/v1/messages`;
  }

  async chat(request: ChatRequest, options: ChatOptions = {}): Promise<ChatResponse> {
    const key = await this.options.apiKey();
    const answer = asRecord(
      await postJson({
        vendor: this.name,
        url: this.url,
        headers: { 'x-api-key': key, 'anthropic-version': ANTHROPIC_VERSION },
        body: this.body(request),
        secret: key,
        ...(options.signal ? { signal: options.signal } : {}),
      }),
    );
    const billed = asRecord(answer?.['usage']);
    const usage = {
      promptTokens: tokenCount(billed?.['input_tokens']),
      completionTokens: tokenCount(billed?.['output_tokens']),
    };
    const blocks = answer?.['content'];
    if (!Array.isArray(blocks)) throw badResponse(this.name, 'content blocks', usage);
    const texts = blocks
      .map(asRecord)
      .filter((block) => block?.['type'] === 'text' && typeof block['text'] === 'string');
    if (texts.length === 0) throw badResponse(this.name, 'text block', usage);
    const text = texts.map((block) => block?.['text'] as string).join('');
    return {
      text: request.json ? withoutCodeFence(text) : text,
      usage,
      model: typeof answer?.['model'] === 'string' ? answer['model'] : request.model,
    };
  }

  /** System messages move to the top-level `system` string; the API has no JSON mode, so it is asked for there. */
  private body(request: ChatRequest): Record<string, unknown> {
    const system = request.messages.filter((message) => message.role === 'system').map((message) => message.content);
    if (request.json) system.push(JSON_INSTRUCTION);
    return {
      model: request.model,
      max_tokens: request.maxTokens ?? this.options.defaultMaxTokens ?? DEFAULT_MAX_TOKENS,
      ...(system.length > 0 ? { system: system.join('\n\n') } : {}),
      messages: request.messages
        .filter((message) => message.role !== 'system')
        .map(({ role, content }) => ({ role, content })),
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    };
  }
}

/** Models sometimes wrap JSON in ```json fences despite the instruction; the caller wants the object. */
function withoutCodeFence(text: string): string {
  const fenced = /^\s*```(?:json)?\s*\n?([\s\S]*?)\n?\s*```\s*$/i.exec(text);
  return fenced?.[1] ?? text;
}
