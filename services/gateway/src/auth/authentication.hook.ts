import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isPublicRoute } from '../access/public-routes.js';
import type { Authenticator } from './authenticator.js';
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
export function installAuthentication(fastify: FastifyInstance, authenticator: Authenticator): void {
  fastify.decorateRequest('principal', undefined);
  fastify.addHook('onRequest', async (request: FastifyRequest) => {
    if (isPublicRoute(request.routeOptions.url)) return;
    request.principal = await authenticator.authenticate(request.headers.authorization);
  });
}
