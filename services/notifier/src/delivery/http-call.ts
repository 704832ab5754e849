import type { LookupAddress, LookupOptions } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type BlockList, type LookupFunction } from 'node:net';
import type { DeliveryFailure } from '../notification/notification.decider.js';
import { parseRetryAfter } from './backoff.js';
import {
  inHttpClientSpan,
  resolveEgress,
  systemLookup,
  type EgressLookup,
  type SecretResolver,
} from '@evalvault/platform';

export interface HttpAnswer {
  status: number;
  body: string;
  /** The body's bytes, for answers that are not text (an OTLP protobuf response). */
  rawBody?: Buffer;
  retryAfter: string | null;
}

/** What every adapter needs to reach a vendor: the allow-list, a timeout, secrets, a clock. */
export interface HttpDeliveryOptions {
  egressAllow: readonly string[];
  /** Private, loopback and link-local addresses names may resolve to (EVALVAULT_EGRESS_ALLOW_PRIVATE, parsed). */
  egressAllowPrivate: BlockList;
  /** How host names are resolved before the check: node:dns unless a test gives a stand-in. */
  lookup?: EgressLookup;
  timeoutMs: number;
  secrets: SecretResolver;
  now: () => number;
}

/** A failed delivery step; its message names hosts and references, never a secret or a secret-bearing URL. */
export class DeliveryStepError extends Error {
  constructor(readonly failure: DeliveryFailure) {
    super(failure.error);
    this.name = 'DeliveryStepError';
  }
}

const fail = (
  error: string,
  permanent: boolean,
  statusCode: number | null = null,
  retryAfterMs: number | null = null,
): DeliveryStepError => new DeliveryStepError({ error, permanent, statusCode, retryAfterMs });

/** Resolves a secret reference; a missing secret may appear (a mounted file), so it is worth retrying. */
export async function resolveSecret(secrets: SecretResolver, ref: string): Promise<string> {
  try {
    return await secrets(ref);
  } catch {
    throw fail(`secret ${ref} cannot be resolved`, false);
  }
}

/**
 * One HTTP request to a vendor, checked against the egress control first (libs/platform egress.ts: the URL's
 * host, then every address it resolves to), then sent to exactly the addresses checked, all
 * within the timeout. Redirects are never followed (a 3xx is an answer like any other).
 * Answers any status; throws a DeliveryStepError for what never got an answer.
 */
export async function httpCall(
  options: HttpDeliveryOptions,
  what: string,
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string | Buffer },
): Promise<HttpAnswer> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  const timedOut = (host: string): DeliveryStepError =>
    fail(`${what}: no answer from ${host} within ${options.timeoutMs} ms`, false);
  let egress;
  try {
    egress = await untilAborted(
      resolveEgress(
        url,
        { allow: options.egressAllow, allowPrivate: options.egressAllowPrivate },
        what,
        options.lookup ?? systemLookup,
      ),
      signal,
    );
  } catch (error) {
    // The URL passed checkEgress before anything was resolved, so it parses.
    const { host, hostname } = new URL(url);
    if (signal.aborted) throw timedOut(host);
    const code = (error as { code?: string }).code ?? (error as Error).name;
    throw fail(`${what}: cannot resolve ${hostname} (${code})`, false);
  }
  if (!egress.allowed) throw fail(egress.reason, true);
  const { host } = egress.url;
  try {
    const { url: target, hostname, addresses } = egress;
    return await inHttpClientSpan(init.method, target, () => send(target, hostname, addresses, init, signal));
  } catch (error) {
    if (signal.aborted) throw timedOut(host);
    const code = (error as { code?: string }).code ?? (error as Error).name;
    throw fail(`${what}: request to ${host} failed (${code})`, false);
  }
}

/** A promise that rejects when the signal aborts first (a DNS lookup cannot be cancelled, only left behind). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * A lookup for the socket that answers only with the addresses already checked: the connection
 * can go nowhere else, whatever DNS says by now. Several addresses are all offered to the
 * socket (it tries them in turn), each of them checked.
 */
export function pinnedLookup(hostname: string, addresses: readonly LookupAddress[]): LookupFunction {
  return (name: string, lookupOptions: LookupOptions, callback) => {
    const family = lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : null;
    const usable = addresses.filter((entry) => family === null || entry.family === family);
    if (name.toLowerCase() !== hostname || usable.length === 0) {
      const error = Object.assign(new Error(`no checked address for ${name}`), { code: 'ENOTFOUND' });
      return callback(error, '', 0);
    }
    if (lookupOptions.all) return callback(null, usable);
    callback(null, usable[0]!.address, usable[0]!.family);
  };
}

/**
 * The request on node:http(s), connected through pinnedLookup; the Host header and the TLS
 * server name (so the certificate is checked) stay the URL's host name. A fresh connection each
 * time (no pooled socket is reused): every request goes where its own check said.
 */
async function send(
  url: URL,
  hostname: string,
  addresses: readonly LookupAddress[],
  init: { method: string; headers: Record<string, string>; body?: string | Buffer },
  signal: AbortSignal,
): Promise<HttpAnswer> {
  const body = typeof init.body === 'string' ? Buffer.from(init.body, 'utf8') : init.body;
  const headers: Record<string, string> = { accept: '*/*', 'user-agent': 'evalvault-notifier', ...init.headers };
  if (body) headers['content-length'] = String(body.length);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const outgoing = request(
      {
        protocol: url.protocol,
        hostname,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: init.method,
        headers,
        agent: false,
        lookup: pinnedLookup(hostname, addresses),
        ...(url.protocol === 'https:' && !isIP(hostname) ? { servername: hostname } : {}),
        signal,
      },
      resolve,
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  const retryAfter = response.headers['retry-after'];
  const rawBody = Buffer.concat(chunks);
  return {
    status: response.statusCode ?? 0,
    body: rawBody.toString('utf8'),
    rawBody,
    retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
  };
}

/**
 * A non-2xx answer as a failure: 429, 408 and 5xx are worth retrying (after Retry-After when
 * given); any other 4xx is the request's fault and is final. The vendor's words are kept,
 * short, with every secret of the call blanked out.
 */
export function failureOf(
  what: string,
  answer: HttpAnswer,
  now: number,
  secrets: readonly string[],
): DeliveryStepError {
  const retryable = answer.status === 429 || answer.status === 408 || answer.status >= 500;
  let said = answer.body.slice(0, 300).replace(/\s+/g, ' ').trim();
  for (const secret of secrets) if (secret) said = said.replaceAll(secret, '[redacted]');
  return fail(
    `${what}: HTTP ${answer.status}${said ? ` ${said}` : ''}`,
    !retryable,
    answer.status,
    parseRetryAfter(answer.retryAfter, now),
  );
}

export const isSuccess = (answer: HttpAnswer): boolean => answer.status >= 200 && answer.status < 300;
