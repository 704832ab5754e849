import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import type { ChatRequest, ChatResponse } from '../llm-provider.port.js';
import type { LlmOwner } from '../llm-owner.js';
import { migrateLlmTestSchema } from '../testing/llm-test-schema.js';
import { ResponseCache } from './response-cache.js';

const answer: ChatResponse = {
  text: '{"verdict":"faithful"}',
  model: 'judge-model-2026',
  usage: { promptTokens: 120, completionTokens: 8 },
};

function request(): ChatRequest {
  return { model: 'judge-model', messages: [{ role: 'user', content: `Is it faithful? ${randomUUID()}` }], json: true };
}

describe('response cache', () => {
  let pool: pg.Pool;
  let schema: string;

  beforeAll(async () => {
    schema = await migrateLlmTestSchema();
    pool = new pg.Pool({ connectionString: testDatabaseUrl() });
  });
  afterAll(async () => {
    await pool.end();
  });

  const tenant = (projectId = 'default'): LlmOwner => ({ tenantId: `tenant-${randomUUID()}`, projectId });

  it('serves an answer to the same tenant and project, marked cached', async () => {
    const cache = new ResponseCache(pool, schema);
    const owner = tenant();
    const asked = request();
    await cache.put(owner, 'openai', asked, answer);
    await expect(cache.get(owner, 'openai', asked)).resolves.toEqual({ ...answer, cached: true });
  });

  it('never serves one tenant the answer another stored, even for a project of the same name', async () => {
    const cache = new ResponseCache(pool, schema);
    const [first, second] = [tenant('default'), tenant('default')];
    const asked = request();
    await cache.put(first, 'openai', asked, answer);
    await expect(cache.get(second, 'openai', asked)).resolves.toBeUndefined();
    // The second tenant's own answer is stored beside the first's, not refused as a duplicate.
    await cache.put(second, 'openai', asked, { ...answer, text: '{"verdict":"unfaithful"}' });
    await expect(cache.get(first, 'openai', asked)).resolves.toMatchObject({ text: answer.text });
    await expect(cache.get(second, 'openai', asked)).resolves.toMatchObject({ text: '{"verdict":"unfaithful"}' });
  });

  it('keeps two projects of one tenant apart', async () => {
    const cache = new ResponseCache(pool, schema);
    const owner = tenant('default');
    const asked = request();
    await cache.put(owner, 'openai', asked, answer);
    await expect(cache.get({ ...owner, projectId: 'other' }, 'openai', asked)).resolves.toBeUndefined();
  });

  it('shares answers across tenants only when the cache is explicitly global', async () => {
    const global = new ResponseCache(pool, schema, { scope: 'global' });
    const perProject = new ResponseCache(pool, schema);
    const [first, second] = [tenant(), tenant()];
    const asked = request();
    await global.put(first, 'openai', asked, answer);
    await expect(global.get(second, 'openai', asked)).resolves.toMatchObject({ text: answer.text, cached: true });
    // A per-project cache neither reads nor writes the global rows.
    await expect(perProject.get(first, 'openai', asked)).resolves.toBeUndefined();
  });

  it('refuses an owner with an empty id, which would read the global rows', async () => {
    const cache = new ResponseCache(pool, schema);
    await expect(cache.get({ tenantId: '', projectId: '' }, 'openai', request())).rejects.toThrow(/tenant and project/);
  });
});
