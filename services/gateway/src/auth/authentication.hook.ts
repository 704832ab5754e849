import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Authenticator } from './authenticator.js';
import type { Principal } from './principal.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/**
 * Authenticates every /v1 request as it arrives (a Fastify hook, so the per-tenant rate
 * limit and the idempotency store already know the tenant); what the principal may do is
 * decided per route by the access guard.
 */
export function installAuthentication(fastify: FastifyInstance, authenticator: Authenticator): void {
  fastify.decorateRequest('principal', undefined);
  fastify.addHook('onRequest', async (request: FastifyRequest) => {
    if (!request.url.startsWith('/v1/')) return;
    request.principal = await authenticator.authenticate(request.headers.authorization);
  });
}
