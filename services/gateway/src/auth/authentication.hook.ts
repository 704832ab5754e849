import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (isPublicRoute(request.routeOptions.url)) return;
    const blockedMs = failures?.blockedFor(request.ip) ?? 0;
    if (blockedMs > 0) {
      void reply.header('retry-after', String(Math.ceil(blockedMs / 1000)));
      throw new EdgeError(
        'RATE_LIMITED',
        `too many refused credentials from this address; retry in ${Math.ceil(blockedMs / 1000)} s`,
      );
    }
    try {
      request.principal = await authenticator.authenticate(request.headers.authorization);
    } catch (error) {
      if (error instanceof AuthError) failures?.failed(request.ip);
      throw error;
    }
  });
}
