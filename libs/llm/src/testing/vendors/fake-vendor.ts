import type { IncomingHttpHeaders } from 'node:http';

export type FakeApi = 'openai' | 'azure' | 'anthropic' | 'ollama';

export interface FakeMessage {
  role: string;
  content: string;
}

/** What a vendor format needs to answer: the parsed request and the scripted reply. */
export interface FakeAnswer {
  text: string;
  promptTokens: number;
  completionTokens: number;
  model: string;
  sequence: number;
}

/**
 * One vendor's wire format as the fake speaks it: which path is its, how it authenticates,
 * what a valid body is (documented required fields and types), and how it shapes answers
 * and errors. Validation answers like the vendor: 401 without a key, 400 for a bad body.
 */
export interface FakeVendor {
  api: FakeApi;
  matches(pathname: string): boolean;
  /** A vendor without auth of its own (Ollama): no key is fine, a key given is still checked. */
  keyOptional?: boolean;
  /** The key presented, or undefined when the vendor's auth header is missing. */
  presentedKey(headers: IncomingHttpHeaders): string | undefined;
  /** A reason to refuse the request before auth is even considered (Azure: no api-version → 404). */
  unroutable?(url: URL): string | undefined;
  /** Why the body (or a required non-auth header) is invalid, or undefined when it is valid. */
  invalid(body: Record<string, unknown>, headers: IncomingHttpHeaders): string | undefined;
  /** The model, messages (system folded in as a message) and JSON flag, for scripts and assertions. */
  normalize(body: Record<string, unknown>, url: URL): { model: string; messages: FakeMessage[]; json: boolean };
  answer(reply: FakeAnswer): unknown;
  error(status: number, message: string): unknown;
}

export const isString = (value: unknown): value is string => typeof value === 'string';
export const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

export function numberOutside(value: unknown, min: number, max: number): boolean {
  return value !== undefined && (typeof value !== 'number' || value < min || value > max);
}

export function notPositiveInteger(value: unknown): boolean {
  return !Number.isInteger(value) || (value as number) < 1;
}

/** Text of a message content that is a string or an array of {type: "text", text} parts. */
export function contentText(content: unknown): string {
  if (isString(content)) return content;
  if (Array.isArray(content))
    return content.map((part) => (isObject(part) && isString(part['text']) ? part['text'] : '')).join('');
  return '';
}
