/**
 * What LLM-judged metrics need from a model, and nothing more: the evaluation domain
 * stays free of providers, HTTP and money; @evalvault/llm implements this port.
 */
export interface JudgeRequest {
  /** What the call is for (e.g. "faithfulness.claims"): used for the cache key, cost breakdown and logs. */
  purpose: string;
  system?: string;
  prompt: string;
  /** Ask the model for a JSON object; the answer text is then JSON. */
  json: boolean;
}

export interface LlmJudge {
  complete(request: JudgeRequest): Promise<string>;
}
