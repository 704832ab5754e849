import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { EdgeError } from './problem-codes.js';
import { tenantOf } from './tenant.js';

export interface RateLimitOptions {
  /** Requests per window for one tenant (or, before authentication, one client address). */
  max: number;
  windowMs: number;
  /** Tenants with a limit of their own (a bigger plan, a noisy neighbour held back). */
  tenantMax?: Readonly<Record<string, number>>;
  /** Route paths never limited: liveness and readiness probes, metrics scrapes. */
  exemptPaths?: readonly string[];
}

export const OPERATIONS_PATHS = ['/healthz', '/readyz', '/metrics'] as const;

/** The bucket a request counts against; tenants and addresses cannot collide. */
export function rateLimitKey(request: FastifyRequest): string {
  const tenantId = tenantOf(request);
  return tenantId === undefined ? `ip:${fastifyRateLimit.normalizeIP(request.ip)}` : `tenant:${tenantId}`;
}

/**
 * Per-tenant limits with @fastify/rate-limit, counted in this process's memory (N gateway
 * replicas allow up to N × max; give the plugin a shared store when that matters).
 *
 * It runs as a route `preHandler`, not on `onRequest`: the tenant is only known once the auth
 * layer's hooks have set `request.principal`, and Fastify runs shared hooks before route
 * hooks. The price is that a limited request's body has already been read (within the body
 * limit). A route may opt out or get its own limit with `@RouteConfig({ rateLimit: ... })`.
 * An exceeded limit throws RATE_LIMITED, answered as a 429 problem; the plugin sets
 * `Retry-After` (seconds) and the `x-ratelimit-*` headers first.
 */
export async function installRateLimit(fastify: FastifyInstance, options: RateLimitOptions): Promise<void> {
  const exempt = new Set<string>(options.exemptPaths ?? OPERATIONS_PATHS);
  await fastify.register(fastifyRateLimit, {
    global: true,
    hook: 'preHandler',
    timeWindow: options.windowMs,
    max: (request) => {
      const tenantId = tenantOf(request);
      return (tenantId !== undefined ? options.tenantMax?.[tenantId] : undefined) ?? options.max;
    },
    keyGenerator: rateLimitKey,
    allowList: (request) => exempt.has(request.routeOptions.url ?? ''),
    errorResponseBuilder: (_request, context) =>
      new EdgeError('RATE_LIMITED', `rate limit of ${context.max} requests exceeded; retry in ${context.after}`),
  });
}
