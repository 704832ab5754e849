import type { ChatMessage, ChatRequest, ChatResponse } from '../llm-provider.port.js';
import { asRecord, badResponse, tokenCount } from '../http/response-shape.js';

/**
 * The Chat Completions wire format shared by OpenAI, OpenAI-compatible servers and Azure OpenAI.
 * Per the OpenAI API reference (platform.openai.com/docs/api-reference/chat/create): request
 * {model, messages[{role, content}], temperature?, max_tokens?, response_format?}; answer
 * choices[0].message.content and usage.prompt_tokens / usage.completion_tokens.
 */
export function chatCompletionsBody(request: ChatRequest, options: { includeModel: boolean }): Record<string, unknown> {
  return {
    ...(options.includeModel ? { model: request.model } : {}),
    messages: request.json ? withJsonHint(request.messages) : request.messages,
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.maxTokens === undefined ? {} : { max_tokens: request.maxTokens }),
    ...(request.json ? { response_format: { type: 'json_object' } } : {}),
  };
}

/**
 * JSON mode is refused with a 400 unless some message mentions "JSON" (documented under
 * response_format); a judge prompt that forgot to say it should not cost a failed call.
 */
function withJsonHint(messages: ChatMessage[]): ChatMessage[] {
  if (messages.some((message) => /json/i.test(message.content))) return messages;
  return [{ role: 'system', content: 'Respond with a JSON object.' }, ...messages];
}

export function chatCompletionsResponse(vendor: string, body: unknown, requestedModel: string): ChatResponse {
  const answer = asRecord(body);
  const choices = answer?.['choices'];
  const message = asRecord(asRecord(Array.isArray(choices) ? choices[0] : undefined)?.['message']);
  const billed = asRecord(answer?.['usage']);
  const usage = {
    promptTokens: tokenCount(billed?.['prompt_tokens']),
    completionTokens: tokenCount(billed?.['completion_tokens']),
  };
  const content = message?.['content'];
  if (typeof content !== 'string') throw badResponse(vendor, 'choices[0].message.content', usage);
  return {
    text: content,
    usage,
    model: typeof answer?.['model'] === 'string' ? answer['model'] : requestedModel,
  };
}
