import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { isPublicRoute } from '../access/public-routes.js';
import { EdgeError } from '../http/problem-codes.js';
import { AuthError } from './auth.errors.js';
import type { Authenticator } from './authenticator.js';
import type { FailedAuthLimiter } from './failed-auth-limiter.js';
import type { Principal } from './principal.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/**
 * Authenticates every request to a non-public route as it arrives (a Fastify hook, so the per-tenant rate
 * limit and the idempotency store already know the tenant); what the principal may do is
 * decided per route by the access guard.
 */
export function installAuthentication(
  fastify: FastifyInstance,
  authenticator: Authenticator,
  failures?: FailedAuthLimiter,
): void {
  fastify.decorateRequest('principal', undefined);
  // A callback hook: a key verified moments ago is answered without a promise; the rest waits for the store.
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    if (isPublicRoute(request.routeOptions.url)) return done();
    const blockedMs = failures?.blockedFor(request.ip) ?? 0;
    if (blockedMs > 0) {
      void reply.header('retry-after', String(Math.ceil(blockedMs / 1000)));
      return done(
        new EdgeError(
          'RATE_LIMITED',
          `too many refused credentials from this address; retry in ${Math.ceil(blockedMs / 1000)} s`,
        ),
      );
    }
    const cached = authenticator.authenticateCached(request.headers.authorization);
    if (cached) {
      request.principal = cached;
      return done();
    }
    authenticator.authenticate(request.headers.authorization).then(
      (principal) => {
        request.principal = principal;
        done();
      },
      (error: unknown) => {
        if (error instanceof AuthError) failures?.failed(request.ip);
        done(error as Error);
      },
    );
  });
}
