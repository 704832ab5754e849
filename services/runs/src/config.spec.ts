import { ConfigError } from '@evalvault/platform';
import { loadConfig } from './config.js';

const judge = (env: Record<string, string>) =>
  loadConfig({ EVALVAULT_JUDGE_PROVIDER: 'openai', EVALVAULT_JUDGE_MODEL: 'gpt-4o-mini', ...env }).judge;

describe('the judge rate limit configuration', () => {
  it('defaults to 300 requests a minute (the former 5 a second), no token limit, a one-minute window', () => {
    expect(judge({})).toMatchObject({
      rateLimit: { requestsPerMinute: 300, tokensPerMinute: null },
      rateLimits: {},
      rateWindowMs: 60_000,
      maxWaitMs: 300_000,
      maxAttempts: 3,
    });
  });

  it('takes requests and tokens per minute as the provider states them, fractions included', () => {
    expect(
      judge({ EVALVAULT_JUDGE_REQUESTS_PER_MINUTE: '0.5', EVALVAULT_JUDGE_TOKENS_PER_MINUTE: '40000.5' }).rateLimit,
    ).toEqual({ requestsPerMinute: 0.5, tokensPerMinute: 40_000.5 });
  });

  it('still reads the older requests per second, also fractional', () => {
    expect(judge({ EVALVAULT_JUDGE_REQUESTS_PER_SECOND: '2.5' }).rateLimit.requestsPerMinute).toBe(150);
    expect(judge({ EVALVAULT_JUDGE_REQUESTS_PER_SECOND: '500' }).rateLimit.requestsPerMinute).toBe(30_000);
  });

  it('refuses both forms at once, and rates that are not above zero', () => {
    expect(() =>
      judge({ EVALVAULT_JUDGE_REQUESTS_PER_SECOND: '2', EVALVAULT_JUDGE_REQUESTS_PER_MINUTE: '120' }),
    ).toThrow(ConfigError);
    expect(() => judge({ EVALVAULT_JUDGE_REQUESTS_PER_MINUTE: '0' })).toThrow(
      /REQUESTS_PER_MINUTE must be a number > 0/,
    );
    expect(() => judge({ EVALVAULT_JUDGE_TOKENS_PER_MINUTE: 'lots' })).toThrow(/TOKENS_PER_MINUTE/);
  });

  it("takes the judge's limit from its provider/model profile when one is listed", () => {
    const config = judge({
      EVALVAULT_JUDGE_REQUESTS_PER_MINUTE: '60',
      EVALVAULT_JUDGE_RATE_LIMITS: 'openai:gpt-4o-mini=500rpm/200000tpm, ollama:llama3.1:8b=0.5rpm',
    });
    expect(config.rateLimit).toEqual({ requestsPerMinute: 500, tokensPerMinute: 200_000 });
    expect(config.rateLimits).toEqual({
      'openai:gpt-4o-mini': { requestsPerMinute: 500, tokensPerMinute: 200_000 },
      'ollama:llama3.1:8b': { requestsPerMinute: 0.5, tokensPerMinute: null },
    });
    // Another model's profile leaves the plain variables in force for this one.
    expect(
      judge({
        EVALVAULT_JUDGE_RATE_LIMITS: 'anthropic:claude-3-5-haiku-latest=50rpm',
        EVALVAULT_JUDGE_REQUESTS_PER_MINUTE: '60',
      }).rateLimit,
    ).toEqual({ requestsPerMinute: 60, tokensPerMinute: null });
  });

  it('refuses a profile entry it cannot read, naming the entry', () => {
    for (const entry of [
      'gpt-4o=10rpm',
      'openai:gpt-4o=10',
      'openai:gpt-4o=90000tpm',
      'vertex:gemini=10rpm',
      'openai:x=0rpm',
    ])
      expect(() => judge({ EVALVAULT_JUDGE_RATE_LIMITS: entry })).toThrow(new RegExp(`RATE_LIMITS entry "${entry}"`));
  });

  it('reads the window, the wait deadline and the attempts', () => {
    expect(
      judge({
        EVALVAULT_JUDGE_RATE_WINDOW_MS: '2000',
        EVALVAULT_JUDGE_MAX_WAIT_MS: '600000',
        EVALVAULT_JUDGE_MAX_ATTEMPTS: '5',
      }),
    ).toMatchObject({ rateWindowMs: 2_000, maxWaitMs: 600_000, maxAttempts: 5 });
  });
});

describe('the judge cache configuration', () => {
  it('serves cached answers per tenant and project unless the operator makes the cache global', () => {
    expect(judge({}).cacheScope).toBe('project');
    expect(judge({ EVALVAULT_JUDGE_CACHE_SCOPE: 'global' }).cacheScope).toBe('global');
    expect(() => judge({ EVALVAULT_JUDGE_CACHE_SCOPE: 'tenant' })).toThrow(
      /EVALVAULT_JUDGE_CACHE_SCOPE must be one of/,
    );
  });
});

describe('the event store configuration', () => {
  it('keeps events in PostgreSQL by default and selects EventStoreDB with its URL', () => {
    expect(loadConfig({}).eventStore).toEqual({ kind: 'postgres' });
    expect(
      loadConfig({ EVENT_STORE: 'eventstoredb', EVENTSTOREDB_URL: 'esdb://127.0.0.1:2113?tls=false' }).eventStore,
    ).toEqual({ kind: 'eventstoredb', url: 'esdb://127.0.0.1:2113?tls=false' });
  });

  it('refuses to start on EventStoreDB without a URL, naming the variable', () => {
    expect(() => loadConfig({ EVENT_STORE: 'eventstoredb' })).toThrow(
      /EVENTSTOREDB_URL is required when EVENT_STORE=eventstoredb/,
    );
  });
});
