import type { ChatOptions, ChatRequest, ChatResponse, LlmProvider, SecretSource } from '../llm-provider.port.js';
import { postJson } from '../http/post-json.js';
import { chatCompletionsBody, chatCompletionsResponse } from './openai-chat-format.js';

/** The latest GA data-plane inference version listed in the Azure OpenAI REST API reference. */
export const DEFAULT_AZURE_API_VERSION = '2024-10-21';

export interface AzureOpenAiOptions {
  /** https://{resource}.openai.azure.com */
  endpoint: string;
  apiKey: SecretSource;
  /** The deployment to call; without it the request's model is taken as the deployment name. */
  deployment?: string;
  apiVersion?: string;
  name?: string;
}

/**
 * Azure OpenAI (learn.microsoft.com/azure/ai-services/openai/reference, "Chat completions"):
 * `POST {endpoint}/openai/deployments/{deployment}/chat/completions?api-version=...` with an
 * `api-key` header; the body is the OpenAI one without `model` (the deployment decides it).
 */
export class AzureOpenAiProvider implements LlmProvider {
  readonly name: string;
  private readonly endpoint: string;

  constructor(private readonly options: AzureOpenAiOptions) {
    this.name = options.name ?? 'azure-openai';
    this.endpoint = options.endpoint.replace(/\/+$/, '');
  }

  async chat(request: ChatRequest, options: ChatOptions = {}): Promise<ChatResponse> {
    const key = await this.options.apiKey();
    const deployment = encodeURIComponent(this.options.deployment ?? request.model);
    const apiVersion = encodeURIComponent(this.options.apiVersion ?? DEFAULT_AZURE_API_VERSION);
    const body = await postJson({
      vendor: this.name,
      url: `${this.endpoint}/openai/deployments/${deployment}/chat/completions?api-version=${apiVersion}`,
      headers: { 'api-key': key },
      body: chatCompletionsBody(request, { includeModel: false }),
      secret: key,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return chatCompletionsResponse(this.name, body, request.model);
  }
}
