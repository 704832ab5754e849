import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { EdgeError } from './problem-codes.js';
import { callerOf, tenantOf } from './tenant.js';

export interface RateLimitOptions {
  /** Requests per window for one tenant (or, before authentication, one client address). */
  max: number;
  windowMs: number;
  /** Tenants with a limit of their own (a bigger plan, a noisy neighbour held back). */
  tenantMax?: Readonly<Record<string, number>>;
  /**
   * Requests per window for one caller (API key or user) inside its tenant's limit, so one
   * runaway CI key cannot take the whole tenant's budget. Default: half the tenant's limit.
   */
  callerMax?: number;
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
  const tenantMax = (request: FastifyRequest): number => {
    const tenantId = tenantOf(request);
    return (tenantId !== undefined ? options.tenantMax?.[tenantId] : undefined) ?? options.max;
  };
  await fastify.register(fastifyRateLimit, {
    global: true,
    hook: 'preHandler',
    timeWindow: options.windowMs,
    max: tenantMax,
    keyGenerator: rateLimitKey,
    allowList: (request) => exempt.has(request.routeOptions.url ?? ''),
    errorResponseBuilder: (_request, context) =>
      new EdgeError('RATE_LIMITED', `rate limit of ${context.max} requests exceeded; retry in ${context.after}`),
  });
  installCallerLimit(fastify, options, tenantMax, exempt);
}

/**
 * The per-caller sub-limit, checked before the tenant's: a shared hook runs ahead of the
 * plugin's route hook, so a caller over its share is refused without spending the tenant's.
 */
function installCallerLimit(
  fastify: FastifyInstance,
  options: RateLimitOptions,
  tenantMax: (request: FastifyRequest) => number,
  exempt: ReadonlySet<string>,
): void {
  const check = fastify.createRateLimit({
    timeWindow: options.windowMs,
    max: (request) => options.callerMax ?? Math.max(1, Math.ceil(tenantMax(request) / 2)),
    keyGenerator: (request) => `caller:${tenantOf(request)}:${callerOf(request)}`,
  });
  fastify.addHook('preHandler', async (request, reply) => {
    const routeConfig = request.routeOptions.config as { rateLimit?: unknown } | undefined;
    if (routeConfig?.rateLimit === false || exempt.has(request.routeOptions.url ?? '')) return;
    if (tenantOf(request) === undefined || callerOf(request) === undefined) return;
    const result = await check(request);
    if (result.isAllowed || !result.isExceeded) return;
    void reply.header('retry-after', String(result.ttlInSeconds));
    throw new EdgeError(
      'RATE_LIMITED',
      `rate limit of ${result.max} requests per caller exceeded (the tenant's other callers keep theirs); ` +
        `retry in ${result.ttlInSeconds} s`,
    );
  });
}
