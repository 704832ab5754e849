import { assertProviderEgress } from './provider-egress.js';

describe('LLM provider base URLs and the egress allow-list', () => {
  it('allows listed hosts over https, loopback model servers, and plain http to a host listed exactly', () => {
    expect(() => assertProviderEgress('openai', 'https://api.openai.com', ['api.openai.com'])).not.toThrow();
    expect(() =>
      assertProviderEgress('azure_openai', 'https://acme.openai.azure.com', ['*.openai.azure.com']),
    ).not.toThrow();
    expect(() => assertProviderEgress('ollama', 'http://127.0.0.1:11434', [])).not.toThrow();
    expect(() => assertProviderEgress('ollama', 'http://[::1]:11434', [])).not.toThrow();
    expect(() => assertProviderEgress('ollama', 'http://ollama:11434', ['ollama'])).not.toThrow();
  });

  it('refuses a provider host nobody listed, naming the provider, the URL and the variable', () => {
    expect(() => assertProviderEgress('anthropic', 'https://api.anthropic.com', ['api.openai.com'])).toThrow(
      'LLM provider anthropic base URL "https://api.anthropic.com": host api.anthropic.com is not on the egress ' +
        'allow-list (EVALVAULT_EGRESS_ALLOW); list its host there, or choose another provider',
    );
    expect(() => assertProviderEgress('openai', 'https://api.openai.com', [])).toThrow('not on the egress allow-list');
  });

  it('refuses plain http to a wildcard-matched host, credentials in the URL, and what is not a URL', () => {
    expect(() => assertProviderEgress('azure_openai', 'http://acme.openai.azure.com', ['*.openai.azure.com'])).toThrow(
      'must use https',
    );
    expect(() => assertProviderEgress('openai', 'https://key:x@api.openai.com', ['api.openai.com'])).toThrow(
      'must not carry credentials',
    );
    expect(() => assertProviderEgress('azure_openai', '', ['api.openai.com'])).toThrow('is not an absolute URL');
  });
});
