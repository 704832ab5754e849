import type { Pool } from 'pg';
import type { ChatRequest, ChatResponse } from '../llm-provider.port.js';
import { assertOwner, type LlmOwner } from '../llm-owner.js';
import { cacheKey } from './cache-key.js';

interface CacheRow {
  response_text: string;
  response_model: string;
  prompt_tokens: number;
  completion_tokens: number;
}

/**
 * Who may be served an answer another call stored: `project` (the default) only calls of the same
 * tenant and project; `global` every call, across tenants, which only an operator may choose
 * (EVALVAULT_JUDGE_CACHE_SCOPE in the runs service).
 */
export type CacheScope = 'project' | 'global';

export interface ResponseCacheOptions {
  scope?: CacheScope;
}

/** A global cache's rows belong to no tenant: empty ids, which no real owner has (assertOwner). */
const GLOBAL: LlmOwner = { tenantId: '', projectId: '' };

/**
 * LLM answers in PostgreSQL by owner and request fingerprint. A hit returns the stored text and the
 * usage it originally cost, marked `cached: true`; the caller decides what a hit costs (nothing).
 */
export class ResponseCache {
  private readonly table: string;
  readonly scope: CacheScope;

  constructor(
    private readonly pool: Pool,
    schema: string,
    options: ResponseCacheOptions = {},
  ) {
    this.table = `"${schema}".llm_response_cache`;
    this.scope = options.scope ?? 'project';
  }

  async get(owner: LlmOwner, provider: string, request: ChatRequest): Promise<ChatResponse | undefined> {
    const rowOwner = this.rowOwner(owner);
    const { rows } = await this.pool.query<CacheRow>(
      `SELECT response_text, response_model, prompt_tokens, completion_tokens FROM ${this.table}
       WHERE tenant_id = $1 AND project_id = $2 AND cache_key = $3`,
      [rowOwner.tenantId, rowOwner.projectId, cacheKey(provider, request)],
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
  async put(owner: LlmOwner, provider: string, request: ChatRequest, response: ChatResponse): Promise<void> {
    const rowOwner = this.rowOwner(owner);
    await this.pool.query(
      `INSERT INTO ${this.table} (tenant_id, project_id, cache_key, provider, model, response_text, response_model,
         prompt_tokens, completion_tokens)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (tenant_id, project_id, cache_key) DO NOTHING`,
      [
        rowOwner.tenantId,
        rowOwner.projectId,
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

  private rowOwner(owner: LlmOwner): LlmOwner {
    assertOwner(owner);
    return this.scope === 'global' ? GLOBAL : owner;
  }
}
