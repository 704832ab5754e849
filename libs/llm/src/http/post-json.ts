import { codeForStatus, LlmError, LlmErrorCode } from '../llm-error.js';
import { retryAfterMs } from './retry-after.js';

const MAX_REASON_LENGTH = 200;

export interface PostJsonCall {
  /** Vendor label for messages ("openai", "anthropic", ...). */
  vendor: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  signal?: AbortSignal;
  /** Removed from any text we put in an error: some vendors echo (part of) a rejected key. */
  secret?: string;
}

/**
 * POSTs JSON and returns the parsed JSON answer, or throws an LlmError whose message names
 * the vendor, the status and the vendor's own short reason — never the URL's secrets, the
 * headers or the request body.
 */
export async function postJson(call: PostJsonCall): Promise<unknown> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(call.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...call.headers },
      body: JSON.stringify(call.body),
      signal: call.signal ?? null,
      // A redirect is never followed: its target was not checked against the egress control.
      redirect: 'manual',
    });
    // Read under the same signal: a body that stalls is as slow as a server that never answers.
    text = await response.text();
  } catch (error) {
    throw transportError(call, error);
  }
  if (response.status >= 300 && response.status < 400) {
    throw new LlmError(
      LlmErrorCode.BadResponse,
      `${call.vendor} answered ${response.status}, a redirect, which is not followed (egress control)`,
      { status: response.status },
    );
  }
  if (!response.ok) {
    const reason = shorten(redact(vendorReason(text), call.secret));
    throw new LlmError(
      codeForStatus(response.status),
      `${call.vendor} answered ${response.status}${reason ? `: ${reason}` : ''}`,
      {
        status: response.status,
        retryAfterMs: retryAfterMs(response.headers),
      },
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new LlmError(
      LlmErrorCode.BadResponse,
      `${call.vendor} answered ${response.status} with a body that is not JSON`,
      { status: response.status },
    );
  }
}

/** Timeout, caller abort or a network failure; the cause keeps only the error's name and code. */
function transportError(call: PostJsonCall, error: unknown): LlmError {
  if (call.signal?.aborted) {
    const reason: unknown = call.signal.reason;
    const timedOut = reason instanceof DOMException && reason.name === 'TimeoutError';
    return timedOut
      ? new LlmError(LlmErrorCode.Timeout, `${call.vendor} did not answer in time`)
      : new LlmError(LlmErrorCode.Aborted, `${call.vendor} call was aborted`);
  }
  const cause = (error as { cause?: { code?: unknown } }).cause;
  const code = typeof cause?.code === 'string' ? ` (${cause.code})` : '';
  return new LlmError(LlmErrorCode.Unavailable, `${call.vendor} could not be reached${code}`);
}

/**
 * The vendors' error bodies: OpenAI/Azure {error:{message}}, Anthropic {error:{type,message}},
 * Ollama {error:"..."}.
 */
function vendorReason(text: string): string {
  let reason = text;
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (typeof body.error === 'string') reason = body.error;
    else if (
      body.error &&
      typeof body.error === 'object' &&
      typeof (body.error as { message?: unknown }).message === 'string'
    ) {
      reason = (body.error as { message: string }).message;
    } else if (typeof body.message === 'string') reason = body.message;
  } catch {
    // not JSON (a proxy's HTML page): the trimmed text is the best reason we have
  }
  return reason;
}

/** Redacted before shortening, so a key cut in half by the limit cannot survive. */
function shorten(reason: string): string {
  const oneLine = reason.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_REASON_LENGTH ? `${oneLine.slice(0, MAX_REASON_LENGTH)}…` : oneLine;
}

export function redact(text: string, secret: string | undefined): string {
  return secret && secret.length >= 4 ? text.split(secret).join('[redacted]') : text;
}
