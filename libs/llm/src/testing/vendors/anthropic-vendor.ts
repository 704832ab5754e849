import {
  contentText,
  isObject,
  isString,
  notPositiveInteger,
  numberOutside,
  type FakeMessage,
  type FakeVendor,
} from './fake-vendor.js';

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

/** Messages API rules: model, max_tokens and messages required; roles user/assistant only; system top level. */
function invalid(body: Record<string, unknown>, version: unknown): string | undefined {
  if (!isString(version) || version === '') return 'anthropic-version: header is required';
  if (!isString(body['model']) || body['model'] === '') return 'model: Field required';
  if (body['max_tokens'] === undefined) return 'max_tokens: Field required';
  if (notPositiveInteger(body['max_tokens']))
    return 'max_tokens: Input should be a valid integer greater than or equal to 1';
  const messages = body['messages'];
  if (!Array.isArray(messages) || messages.length === 0) return 'messages: Field required';
  for (const [index, message] of messages.entries()) {
    const role = isObject(message) ? message['role'] : undefined;
    if (role === 'system') {
      return (
        `messages.${index}.role: Unexpected role "system". ` +
        'The Messages API accepts a top-level `system` parameter, not "system" as an input message role.'
      );
    }
    if (role !== 'user' && role !== 'assistant') return `messages.${index}.role: Input should be 'user' or 'assistant'`;
    const content = (message as Record<string, unknown>)['content'];
    if (!isString(content) && !Array.isArray(content))
      return `messages.${index}.content: Input should be a valid string or list`;
  }
  if (body['system'] !== undefined && !isString(body['system']) && !Array.isArray(body['system']))
    return 'system: Input should be a valid string or list';
  if (numberOutside(body['temperature'], 0, 1)) return 'temperature: Input should be less than or equal to 1';
  return undefined;
}

export const anthropicVendor: FakeVendor = {
  api: 'anthropic',
  matches: (pathname) => pathname === '/v1/messages',
  presentedKey: (headers) =>
    isString(headers['x-api-key']) && headers['x-api-key'] !== '' ? headers['x-api-key'] : undefined,
  invalid: (body, headers) => invalid(body, headers['anthropic-version']),
  normalize: (body) => {
    const system: FakeMessage[] =
      body['system'] === undefined ? [] : [{ role: 'system', content: contentText(body['system']) }];
    const turns = (body['messages'] as Record<string, unknown>[]).map((message) => ({
      role: String(message['role']),
      content: contentText(message['content']),
    }));
    // No JSON mode in this API: a JSON request is recognisable only by asking for JSON in the system prompt.
    return {
      model: String(body['model']),
      messages: [...system, ...turns],
      json: /json/i.test(system[0]?.content ?? ''),
    };
  },
  answer: (reply) => ({
    id: `msg_fake_${reply.sequence}`,
    type: 'message',
    role: 'assistant',
    model: reply.model,
    content: [{ type: 'text', text: reply.text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: reply.promptTokens, output_tokens: reply.completionTokens },
  }),
  error: (status, message) => ({ type: 'error', error: { type: ERROR_TYPES[status] ?? 'api_error', message } }),
};
