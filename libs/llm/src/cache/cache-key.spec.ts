import type { ChatRequest } from '../llm-provider.port.js';
import { cacheKey } from './cache-key.js';

describe('cache key', () => {
  const request: ChatRequest = {
    model: 'm',
    messages: [
      { role: 'system', content: 'judge' },
      { role: 'user', content: 'q' },
    ],
    json: true,
    temperature: 0,
  };

  it('is a sha256 hex that depends only on the request', () => {
    expect(cacheKey('openai', request)).toMatch(/^[0-9a-f]{64}$/);
    expect(cacheKey('openai', { ...request, messages: request.messages.map((message) => ({ ...message })) })).toBe(
      cacheKey('openai', request),
    );
  });

  it.each<[string, ChatRequest | undefined, string]>([
    ['provider', undefined, 'anthropic'],
    ['model', { ...request, model: 'n' }, 'openai'],
    [
      'messages',
      {
        ...request,
        messages: [
          { role: 'user', content: 'judge' },
          { role: 'user', content: 'q' },
        ],
      },
      'openai',
    ],
    ['json flag', { ...request, json: false }, 'openai'],
    ['temperature', { ...request, temperature: 0.7 }, 'openai'],
    ['max tokens', { ...request, maxTokens: 10 }, 'openai'],
  ])('changes with the %s', (_field, changed, provider) => {
    expect(cacheKey(provider, changed ?? request)).not.toBe(cacheKey('openai', request));
  });

  it('keeps message boundaries apart', () => {
    const split: ChatRequest = {
      ...request,
      messages: [
        { role: 'user', content: 'ab' },
        { role: 'user', content: 'c' },
      ],
    };
    const joined: ChatRequest = {
      ...request,
      messages: [
        { role: 'user', content: 'a' },
        { role: 'user', content: 'bc' },
      ],
    };
    expect(cacheKey('openai', split)).not.toBe(cacheKey('openai', joined));
  });
});
