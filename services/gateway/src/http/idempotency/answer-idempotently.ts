import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorLogger } from '@evalvault/platform';
import { EdgeError } from '../problem-codes.js';
import { tenantOf } from '../tenant.js';
import { idempotencyScope, type IdempotencyScope, type IdempotencyStore } from './idempotency.store.js';
import { requestHash } from './request-hash.js';
import { isWithheld, WITHHELD_BODY } from './secret-bearing.js';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const IDEMPOTENCY_REPLAYED_HEADER = 'idempotency-replayed';
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** Where keys are kept and where failures to keep them are logged. */
export interface Idempotency {
  store: IdempotencyStore;
  logger: ErrorLogger;
}

/**
 * A POST's answer under its `Idempotency-Key` (see IdempotencyInterceptor for the rules), for Nest's
 * routes (through the interceptor) and the routes served by Fastify alone alike: `handle` runs at
 * most once per key; its result is stored and answered again to a retry of the same request.
 * Without a key, or on another method, `handle` just runs. Returns the body to send.
 */
export async function answerIdempotently(
  idempotency: Idempotency,
  request: FastifyRequest,
  reply: FastifyReply,
  secretBearing: boolean,
  handle: () => Promise<unknown>,
): Promise<unknown> {
  if (request.method !== 'POST') return handle();
  const key = idempotencyKeyOf(request);
  if (key === undefined) return handle();
  const tenantId = tenantOf(request);
  if (tenantId === undefined)
    throw new EdgeError('UNAUTHENTICATED', 'an Idempotency-Key needs an authenticated caller');

  const { store } = idempotency;
  const scope = idempotencyScope(projectOf(request));
  const claim = await store.claim(tenantId, scope, key, requestHash(request.method, request.url, request.body));
  switch (claim.kind) {
    case 'replay':
      if (isWithheld(claim.response.body)) {
        throw new EdgeError(
          'IDEMPOTENCY_SECRET_NOT_REPLAYED',
          'this request already succeeded, and its answer carried a secret that is shown once and never stored; ' +
            'list the resource to find it, or revoke it and create another',
        );
      }
      void reply.code(claim.response.status).header(IDEMPOTENCY_REPLAYED_HEADER, 'true');
      return claim.response.body;
    case 'mismatch':
      throw new EdgeError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request');
    case 'in-progress':
      void reply.header('retry-after', '1');
      throw new EdgeError('IDEMPOTENCY_IN_PROGRESS', 'a request with this Idempotency-Key is still being processed');
    case 'claimed':
      break;
  }
  let body: unknown;
  try {
    body = await handle();
  } catch (error) {
    await forget(idempotency, tenantId, scope, key);
    throw error;
  }
  await remember(idempotency, tenantId, scope, key, { status: reply.statusCode, body }, secretBearing);
  return body;
}

/** A failure to store is logged, not answered: the command did run, and the client should hear how. */
async function remember(
  { store, logger }: Idempotency,
  tenantId: string,
  scope: IdempotencyScope,
  key: string,
  response: { status: number; body: unknown },
  secretBearing: boolean,
): Promise<void> {
  try {
    await store.complete(tenantId, scope, key, secretBearing ? { ...response, body: WITHHELD_BODY } : response);
  } catch (error) {
    logger.error(
      { err: error, tenantId },
      'idempotency: could not store the response; the key stays claimed until its lease ends',
    );
  }
}

/** The claim of a failed request is dropped, so a retry runs it again. */
async function forget({ store, logger }: Idempotency, tenantId: string, scope: IdempotencyScope, key: string) {
  try {
    await store.release(tenantId, scope, key);
  } catch (releaseError) {
    logger.error(
      { err: releaseError, tenantId },
      'idempotency: could not release a failed claim; it stays claimed until its lease ends',
    );
  }
}

/** The key header, checked; undefined when absent. */
export function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const value = request.headers[IDEMPOTENCY_KEY_HEADER];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw new EdgeError('INVALID_INPUT', 'send one Idempotency-Key header');
  if (value.length === 0 || value.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new EdgeError('INVALID_INPUT', `an Idempotency-Key has 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
  }
  return value;
}

const PROJECT_PARAM_NAMES = ['project', 'projectId'] as const;

/**
 * The project a route acts in: its `project` path parameter (every route under
 * `/v1/projects/{project}` names it so; `projectId` is read too), already checked by the route's
 * schema and the access guard. Null for a tenant-level route.
 */
export function projectOf(request: FastifyRequest): string | null {
  const params = request.params as Record<string, unknown> | undefined;
  for (const name of PROJECT_PARAM_NAMES) {
    const value = params?.[name];
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return null;
}
