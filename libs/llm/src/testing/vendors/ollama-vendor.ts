import { contentText, isObject, isString, numberOutside, type FakeVendor } from './fake-vendor.js';

const ROLES = new Set(['system', 'user', 'assistant', 'tool']);

/** /api/chat rules; the fake speaks only the non-streaming form, so `stream` must be false. */
function invalid(body: Record<string, unknown>): string | undefined {
  if (!isString(body['model']) || body['model'] === '') return 'model is required';
  const messages = body['messages'];
  if (!Array.isArray(messages)) return 'messages must be an array';
  for (const message of messages) {
    if (!isObject(message) || !isString(message['role']) || !ROLES.has(message['role'])) return 'invalid message role';
    if (!isString(message['content'])) return 'message content must be a string';
  }
  if (body['stream'] !== false) return 'this fake answers only "stream": false (Ollama streams NDJSON by default)';
  if (body['format'] !== undefined && body['format'] !== 'json' && !isObject(body['format']))
    return 'invalid format: expected "json" or a JSON schema';
  const options = body['options'];
  if (options !== undefined && !isObject(options)) return 'options must be an object';
  if (isObject(options) && numberOutside(options['temperature'], 0, 2)) return 'invalid options.temperature';
  return undefined;
}

export const ollamaVendor: FakeVendor = {
  api: 'ollama',
  matches: (pathname) => pathname === '/api/chat',
  // Ollama has no auth of its own; a Bearer key, when sent, is what a proxy in front would check.
  keyOptional: true,
  presentedKey: (headers) => /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1],
  invalid,
  normalize: (body) => ({
    model: String(body['model']),
    messages: (body['messages'] as Record<string, unknown>[]).map((message) => ({
      role: String(message['role']),
      content: contentText(message['content']),
    })),
    json: body['format'] !== undefined,
  }),
  answer: (reply) => ({
    model: reply.model,
    created_at: new Date().toISOString(),
    message: { role: 'assistant', content: reply.text },
    done: true,
    done_reason: 'stop',
    prompt_eval_count: reply.promptTokens,
    eval_count: reply.completionTokens,
  }),
  error: (_status, message) => ({ error: message }),
};
