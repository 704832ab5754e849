import type { Pool } from 'pg';
import type { ChatRequest, ChatResponse } from '../llm-provider.port.js';
import { cacheKey } from './cache-key.js';

interface CacheRow {
  response_text: string;
  response_model: string;
  prompt_tokens: number;
  completion_tokens: number;
}

/**
 * LLM answers in PostgreSQL by request fingerprint. A hit returns the stored text and the
 * usage it originally cost, marked `cached: true`; the caller decides what a hit costs (nothing).
 */
export class ResponseCache {
  private readonly table: string;

  constructor(
    private readonly pool: Pool,
    schema: string,
  ) {
    this.table = `"${schema}".llm_response_cache`;
  }

  async get(provider: string, request: ChatRequest): Promise<ChatResponse | undefined> {
    const { rows } = await this.pool.query<CacheRow>(
      `SELECT response_text, response_model, prompt_tokens, completion_tokens FROM ${this.table} WHERE cache_key = $1`,
      [cacheKey(provider, request)],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      text: row.response_text,
      model: row.response_model,
      usage: { promptTokens: row.prompt_tokens, completionTokens: row.completion_tokens },
      cached: true,
    };
  }

  /** First answer wins: two workers that missed together store one row, and either answer is valid. */
  async put(provider: string, request: ChatRequest, response: ChatResponse): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.table} (cache_key, provider, model, response_text, response_model, prompt_tokens, completion_tokens)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (cache_key) DO NOTHING`,
      [
        cacheKey(provider, request),
        provider,
        request.model,
        response.text,
        response.model,
        Math.round(response.usage.promptTokens),
        Math.round(response.usage.completionTokens),
      ],
    );
  }
}
