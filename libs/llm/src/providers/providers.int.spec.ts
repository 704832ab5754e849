import { FakeLlmServer } from '../testing/index.js';
import type { ChatRequest } from '../llm-provider.port.js';
import { AnthropicProvider } from './anthropic.provider.js';
import { AzureOpenAiProvider, DEFAULT_AZURE_API_VERSION } from './azure-openai.provider.js';
import { OllamaProvider } from './ollama.provider.js';
import { OpenAiCompatibleProvider } from './openai-compatible.provider.js';

const KEY = 'sk-test-provider-key';
const secret = async (): Promise<string> => KEY;
const judged: ChatRequest = {
  model: 'judge-model',
  messages: [
    { role: 'system', content: 'You are a strict judge.' },
    { role: 'user', content: 'Is the answer faithful? Reply in JSON.' },
  ],
  json: true,
  maxTokens: 200,
  temperature: 0,
};

describe('provider adapters against the fake vendor server', () => {
  let server: FakeLlmServer;

  beforeEach(async () => {
    server = await FakeLlmServer.start({ apiKeys: [KEY] });
    server.respondWith((request) => ({ text: `{"api":"${request.api}"}`, promptTokens: 11, completionTokens: 7 }));
  });
  afterEach(async () => {
    await server.close();
  });

  it('OpenAI-compatible: Bearer key, JSON mode, max_tokens; reads choices and usage', async () => {
    const provider = new OpenAiCompatibleProvider({ baseUrl: server.url, apiKey: secret });
    await expect(provider.chat(judged)).resolves.toEqual({
      text: '{"api":"openai"}',
      usage: { promptTokens: 11, completionTokens: 7 },
      model: 'judge-model',
    });
    const [sent] = server.requests;
    expect(sent?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(sent?.body).toEqual({
      model: 'judge-model',
      messages: judged.messages,
      temperature: 0,
      max_tokens: 200,
      response_format: { type: 'json_object' },
    });
  });

  it('OpenAI-compatible: adds a JSON hint if no message says JSON (the API refuses JSON mode otherwise)', async () => {
    const provider = new OpenAiCompatibleProvider({ baseUrl: server.url, apiKey: secret });
    await provider.chat({ model: 'm', messages: [{ role: 'user', content: 'Is it faithful?' }], json: true });
    expect(server.received.map((request) => request.status)).toEqual([200]);
    expect(server.requests[0]?.messages[0]).toEqual({ role: 'system', content: 'Respond with a JSON object.' });
  });

  it('Azure OpenAI: deployment path, api-version, api-key header, no model in the body', async () => {
    const provider = new AzureOpenAiProvider({ endpoint: server.url, apiKey: secret, deployment: 'judge-deployment' });
    await expect(provider.chat(judged)).resolves.toMatchObject({
      text: '{"api":"azure"}',
      usage: { promptTokens: 11, completionTokens: 7 },
    });
    const [sent] = server.requests;
    expect(sent?.headers['api-key']).toBe(KEY);
    expect(sent?.headers.authorization).toBeUndefined();
    expect(sent?.model).toBe('judge-deployment');
    expect(sent?.body['model']).toBeUndefined();
    expect(server.received[0]?.path).toBe('/openai/deployments/judge-deployment/chat/completions');
    expect(DEFAULT_AZURE_API_VERSION).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('Anthropic: x-api-key and version headers, top-level system, user/assistant messages, max_tokens', async () => {
    const provider = new AnthropicProvider({ baseUrl: server.url, apiKey: secret });
    await expect(provider.chat(judged)).resolves.toEqual({
      text: '{"api":"anthropic"}',
      usage: { promptTokens: 11, completionTokens: 7 },
      model: 'judge-model',
    });
    const [sent] = server.requests;
    expect(sent?.headers['x-api-key']).toBe(KEY);
    expect(sent?.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent?.body['max_tokens']).toBe(200);
    expect(sent?.body['system']).toMatch(/^You are a strict judge\.\n\n.*JSON object/);
    expect(sent?.body['messages']).toEqual([{ role: 'user', content: 'Is the answer faithful? Reply in JSON.' }]);
  });

  it('Anthropic: sends the required max_tokens when the request has none; unwraps a fenced JSON answer', async () => {
    server.respondWith(() => ({ text: '```json\n{"verdict":"no"}\n```' }));
    const provider = new AnthropicProvider({ baseUrl: server.url, apiKey: secret, defaultMaxTokens: 512 });
    const { maxTokens: _omitted, ...withoutMax } = judged;
    await expect(provider.chat(withoutMax)).resolves.toMatchObject({ text: '{"verdict":"no"}' });
    expect(server.requests[0]?.body['max_tokens']).toBe(512);
  });

  it('Ollama: stream false, format json, options; reads message and eval counts', async () => {
    const provider = new OllamaProvider({ baseUrl: server.url });
    await expect(provider.chat(judged)).resolves.toEqual({
      text: '{"api":"ollama"}',
      usage: { promptTokens: 11, completionTokens: 7 },
      model: 'judge-model',
    });
    expect(server.requests[0]?.body).toEqual({
      model: 'judge-model',
      messages: judged.messages,
      stream: false,
      format: 'json',
      options: { temperature: 0, num_predict: 200 },
    });
  });
});

describe('the fake vendor server refuses what the vendor would refuse', () => {
  let server: FakeLlmServer;
  const post = (path: string, headers: Record<string, string>, body: unknown) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    server = await FakeLlmServer.start();
  });
  afterAll(async () => {
    await server.close();
  });

  it("answers 401 without the auth header, in the vendor's error shape", async () => {
    const openAi = await post('/v1/chat/completions', {}, { model: 'm', messages: [{ role: 'user', content: 'q' }] });
    expect(openAi.status).toBe(401);
    expect(await openAi.json()).toMatchObject({ error: { code: 'invalid_api_key' } });
    const anthropic = await post(
      '/v1/messages',
      { 'anthropic-version': '2023-06-01' },
      { model: 'm', max_tokens: 5, messages: [] },
    );
    expect(anthropic.status).toBe(401);
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
  });

  it('answers 400 for a body that breaks the documented format', async () => {
    const anthropicHeaders = { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' };
    const systemRole = await post('/v1/messages', anthropicHeaders, {
      model: 'm',
      max_tokens: 5,
      messages: [{ role: 'system', content: 's' }],
    });
    expect(systemRole.status).toBe(400);
    expect(await systemRole.json()).toMatchObject({
      error: { type: 'invalid_request_error', message: expect.stringMatching(/top-level `system`/) },
    });
    expect(
      (await post('/v1/messages', anthropicHeaders, { model: 'm', messages: [{ role: 'user', content: 'q' }] })).status,
    ).toBe(400);
    expect(
      (
        await post(
          '/v1/messages',
          { 'x-api-key': 'k' },
          { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'q' }] },
        )
      ).status,
    ).toBe(400);
    const openAiHeaders = { authorization: 'Bearer k' };
    expect(
      (await post('/v1/chat/completions', openAiHeaders, { messages: [{ role: 'user', content: 'q' }] })).status,
    ).toBe(400);
    expect(
      (
        await post('/v1/chat/completions', openAiHeaders, {
          model: 'm',
          messages: [{ role: 'user', content: 'q' }],
          max_tokens: '5',
        })
      ).status,
    ).toBe(400);
    expect((await post('/api/chat', {}, { model: 'm', messages: [{ role: 'user', content: 'q' }] })).status).toBe(400);
    expect((await post('/openai/deployments/d/chat/completions', { 'api-key': 'k' }, { messages: [] })).status).toBe(
      404,
    );
  });
});
