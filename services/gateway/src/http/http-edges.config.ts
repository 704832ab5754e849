import { ConfigError, readList, type Environment } from '@evalvault/platform';
import type { RateLimitOptions } from './rate-limit.js';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;
export const DEFAULT_RATE_LIMIT_MAX = 600;
export const DEFAULT_RATE_LIMIT_WINDOW_MS = 60_000;

export interface HttpEdgesConfig {
  bodyLimit: number;
  rateLimit: RateLimitOptions;
  /** Refused credentials one client address may present per rate-limit window before it gets 429 (none: unlimited). */
  authFailuresMax?: number;
}

export const DEFAULT_AUTH_FAILURES_MAX = 30;

/**
 * The HTTP edges' settings from the environment, for the gateway's config module to call:
 *   GATEWAY_BODY_LIMIT_BYTES      largest request body (default 1 MiB)
 *   GATEWAY_RATE_LIMIT_MAX        requests per window per tenant (default 600)
 *   GATEWAY_RATE_LIMIT_WINDOW_MS  the window (default 60000)
 *   GATEWAY_RATE_LIMIT_TENANTS    per-tenant maxima, `tenant=max,tenant=max`
 *   GATEWAY_RATE_LIMIT_CALLER_MAX requests per window per API key or user within its tenant (default half the tenant's)
 *   GATEWAY_AUTH_FAILURES_MAX     refused credentials per client address per window before 429 (default 30)
 */
export function loadHttpEdgesConfig(env: Environment): HttpEdgesConfig {
  const tenantMax: Record<string, number> = {};
  for (const item of readList(env, 'GATEWAY_RATE_LIMIT_TENANTS')) {
    const [tenant, max] = item.split('=').map((part) => part.trim());
    if (!tenant || max === undefined)
      throw new ConfigError('GATEWAY_RATE_LIMIT_TENANTS', `must list tenant=max pairs, got "${item}"`);
    tenantMax[tenant] = positiveInteger('GATEWAY_RATE_LIMIT_TENANTS', max);
  }
  return {
    bodyLimit: readPositive(env, 'GATEWAY_BODY_LIMIT_BYTES', DEFAULT_BODY_LIMIT),
    authFailuresMax: readPositive(env, 'GATEWAY_AUTH_FAILURES_MAX', DEFAULT_AUTH_FAILURES_MAX),
    rateLimit: {
      max: readPositive(env, 'GATEWAY_RATE_LIMIT_MAX', DEFAULT_RATE_LIMIT_MAX),
      windowMs: readPositive(env, 'GATEWAY_RATE_LIMIT_WINDOW_MS', DEFAULT_RATE_LIMIT_WINDOW_MS),
      tenantMax,
      ...(env.GATEWAY_RATE_LIMIT_CALLER_MAX
        ? { callerMax: positiveInteger('GATEWAY_RATE_LIMIT_CALLER_MAX', env.GATEWAY_RATE_LIMIT_CALLER_MAX) }
        : {}),
    },
  };
}

function readPositive(env: Environment, variable: string, fallback: number): number {
  const raw = env[variable];
  return raw === undefined || raw === '' ? fallback : positiveInteger(variable, raw);
}

function positiveInteger(variable: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new ConfigError(variable, `must be a positive integer, got "${raw}"`);
  return value;
}
