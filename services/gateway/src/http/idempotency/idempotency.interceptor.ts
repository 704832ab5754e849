import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { ErrorLogger } from '@evalvault/platform';
import { answerIdempotently, type Idempotency } from './answer-idempotently.js';
import type { IdempotencyStore } from './idempotency.store.js';
import { isSecretBearing } from './secret-bearing.js';

export {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENCY_REPLAYED_HEADER,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  idempotencyKeyOf,
  projectOf,
} from './answer-idempotently.js';

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
 * The rules themselves are answerIdempotently's, which the runs routes served by Fastify alone call too.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly idempotency: Idempotency;

  constructor(store: IdempotencyStore, logger: ErrorLogger) {
    this.idempotency = { store, logger };
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const secretBearing = isSecretBearing(context.getHandler());
    if (secretBearing) void reply.header('cache-control', 'no-store');
    if (request.method !== 'POST') return next.handle();
    return from(
      answerIdempotently(this.idempotency, request, reply, secretBearing, () => lastValueFrom(next.handle())),
    );
  }
}
