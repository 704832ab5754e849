import type { IncomingHttpHeaders } from 'node:http';
import {
  contentText,
  isObject,
  isString,
  notPositiveInteger,
  numberOutside,
  type FakeAnswer,
  type FakeVendor,
} from './fake-vendor.js';

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool']);
const FORMATS = new Set(['text', 'json_object', 'json_schema']);

/** Body rules of the Chat Completions reference; Azure's body is the same without a required model. */
function invalidChatBody(body: Record<string, unknown>, modelRequired: boolean): string | undefined {
  if (modelRequired && (!isString(body['model']) || body['model'] === '')) return 'you must provide a model parameter';
  const messages = body['messages'];
  if (!Array.isArray(messages) || messages.length === 0) return "'messages' must be a non-empty array";
  for (const [index, message] of messages.entries()) {
    if (!isObject(message) || !isString(message['role']) || !ROLES.has(message['role']))
      return `Invalid value for 'messages[${index}].role'`;
    if (!isString(message['content']) && !Array.isArray(message['content']))
      return `Invalid type for 'messages[${index}].content'`;
  }
  if (numberOutside(body['temperature'], 0, 2)) return "Invalid 'temperature': expected a number between 0 and 2";
  if (body['max_tokens'] !== undefined && notPositiveInteger(body['max_tokens']))
    return "Invalid 'max_tokens': expected a positive integer";
  const format = body['response_format'];
  if (format !== undefined && (!isObject(format) || !isString(format['type']) || !FORMATS.has(format['type'])))
    return "Invalid 'response_format'";
  if (
    isObject(format) &&
    format['type'] === 'json_object' &&
    !messages.some((message) => /json/i.test(contentText((message as Record<string, unknown>)['content'])))
  ) {
    return "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.";
  }
  return undefined;
}

function normalize(body: Record<string, unknown>, model: string) {
  const messages = (body['messages'] as Record<string, unknown>[]).map((message) => ({
    role: String(message['role']),
    content: contentText(message['content']),
  }));
  const format = body['response_format'];
  return { model, messages, json: isObject(format) && format['type'] === 'json_object' };
}

function answer(reply: FakeAnswer): unknown {
  return {
    id: `chatcmpl-fake-${reply.sequence}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: reply.model,
    choices: [{ index: 0, message: { role: 'assistant', content: reply.text }, finish_reason: 'stop' }],
    usage: {
      prompt_tokens: reply.promptTokens,
      completion_tokens: reply.completionTokens,
      total_tokens: reply.promptTokens + reply.completionTokens,
    },
  };
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'invalid_request_error',
  404: 'invalid_request_error',
  429: 'rate_limit_exceeded',
};

export const openAiVendor: FakeVendor = {
  api: 'openai',
  matches: (pathname) => pathname === '/v1/chat/completions',
  presentedKey: (headers: IncomingHttpHeaders) => /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1],
  invalid: (body) => invalidChatBody(body, true),
  normalize: (body) => normalize(body, String(body['model'])),
  answer,
  error: (status, message) => ({
    error: {
      message,
      type: ERROR_TYPES[status] ?? 'server_error',
      param: null,
      code: status === 401 ? 'invalid_api_key' : null,
    },
  }),
};

const AZURE_PATH = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/;

export const azureOpenAiVendor: FakeVendor = {
  api: 'azure',
  matches: (pathname) => AZURE_PATH.test(pathname),
  presentedKey: (headers) =>
    isString(headers['api-key']) && headers['api-key'] !== '' ? headers['api-key'] : undefined,
  unroutable: (url) => (url.searchParams.get('api-version') ? undefined : 'Resource not found'),
  invalid: (body) => invalidChatBody(body, false),
  normalize: (body, url) => normalize(body, decodeURIComponent(AZURE_PATH.exec(url.pathname)?.[1] ?? '')),
  answer,
  error: (status, message) => ({ error: { code: String(status), message } }),
};
