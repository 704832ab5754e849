import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { catchError, from, mergeMap, of, type Observable } from 'rxjs';
import type { ErrorLogger } from '@evalvault/platform';
import { EdgeError } from '../problem-codes.js';
import { tenantOf } from '../tenant.js';
import { idempotencyScope, type IdempotencyScope, type IdempotencyStore } from './idempotency.store.js';
import { requestHash } from './request-hash.js';
import { isSecretBearing, isWithheld, WITHHELD_BODY } from './secret-bearing.js';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const IDEMPOTENCY_REPLAYED_HEADER = 'idempotency-replayed';
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/**
 * `Idempotency-Key` on POST routes. An interceptor rather than Fastify hooks because it runs
 * after Nest guards (the principal is known, whichever way auth is wired) and after schema
 * validation (an invalid body never claims a key), and it sees the handler's own result.
 *
 * - first request: the key is claimed, the handler runs, its status and JSON result are stored;
 *   if the handler throws, the claim is dropped, so a retry runs it again (a failed command is
 *   expected to have had no effect; replaying errors would pin a transient 503 to the key).
 * - same key, same request: the stored answer, with `Idempotency-Replayed: true`.
 * - same key, other request: 422 IDEMPOTENCY_KEY_REUSED.
 * - same key while the first is still running: 409 IDEMPOTENCY_IN_PROGRESS at once, not a wait,
 *   which would hold a connection and a pool client per duplicate; the client retries later.
 * - a route marked @SecretBearing (a new API key): only a marker is stored, never the secret, and
 *   a replay is refused with 409 IDEMPOTENCY_SECRET_NOT_REPLAYED.
 * Keys are per tenant and project: a route under `/v1/projects/{project}` keeps its keys in that
 * project, so the same key in two projects is two requests and neither hears of the other; a
 * tenant-level route (no project in it) keeps them in the tenant's own scope, apart from every
 * project's. A request without a principal cannot use one (401).
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly store: IdempotencyStore,
    private readonly logger: ErrorLogger,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const secretBearing = isSecretBearing(context.getHandler());
    if (secretBearing) void reply.header('cache-control', 'no-store');
    if (request.method !== 'POST') return next.handle();
    const key = idempotencyKeyOf(request);
    if (key === undefined) return next.handle();
    const tenantId = tenantOf(request);
    if (tenantId === undefined)
      throw new EdgeError('UNAUTHENTICATED', 'an Idempotency-Key needs an authenticated caller');

    const scope = idempotencyScope(projectOf(request));
    const claim = await this.store.claim(tenantId, scope, key, requestHash(request.method, request.url, request.body));
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
        return of(claim.response.body);
      case 'mismatch':
        throw new EdgeError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request');
      case 'in-progress':
        void reply.header('retry-after', '1');
        throw new EdgeError('IDEMPOTENCY_IN_PROGRESS', 'a request with this Idempotency-Key is still being processed');
      case 'claimed':
        return next.handle().pipe(
          mergeMap((body: unknown) => from(this.remember(tenantId, scope, key, reply.statusCode, body, secretBearing))),
          catchError((error: unknown) => from(this.forget(tenantId, scope, key, error))),
        );
    }
  }

  /** A failure to store is logged, not answered: the command did run, and the client should hear how. */
  private async remember(
    tenantId: string,
    scope: IdempotencyScope,
    key: string,
    status: number,
    body: unknown,
    secretBearing: boolean,
  ): Promise<unknown> {
    try {
      await this.store.complete(tenantId, scope, key, { status, body: secretBearing ? WITHHELD_BODY : body });
    } catch (error) {
      this.logger.error(
        { err: error, tenantId },
        'idempotency: could not store the response; the key stays claimed until its lease ends',
      );
    }
    return body;
  }

  private async forget(tenantId: string, scope: IdempotencyScope, key: string, error: unknown): Promise<never> {
    try {
      await this.store.release(tenantId, scope, key);
    } catch (releaseError) {
      this.logger.error(
        { err: releaseError, tenantId },
        'idempotency: could not release a failed claim; it stays claimed until its lease ends',
      );
    }
    throw error;
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
