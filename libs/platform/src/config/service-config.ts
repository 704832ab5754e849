import type { Environment } from './environment.js';
import { loadTraceExport, type TraceExport } from './tracing-config.js';

export type { Environment } from './environment.js';

/**
 * Configuration every service shares, read once at boot from the environment and
 * validated; a bad value stops the service with a message naming the variable.
 */
export interface ServiceConfig {
  serviceName: string;
  host: string;
  port: number;
  logLevel: LogLevel;
  /** Paths redacted from every log line, on top of the built-in secret paths. */
  redactPaths: string[];
  /** The bearer token a remote Prometheus presents on /metrics; unset, only loopback clients are answered. */
  metricsToken?: string;
  /** Set when spans leave the process over OTLP (the OTEL_* variables; see tracing-config.ts). */
  traceExport?: TraceExport;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

/** A whole number >= 1 (a concurrency, a batch size, a number of attempts); the fallback when unset. */
export function readPositiveInt(env: Environment, variable: string, fallback: number): number {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1)
    throw new ConfigError(variable, `must be a whole number >= 1, got "${raw}"`);
  return value;
}

export function readPort(env: Environment, variable: string, fallback: number): number {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(variable, `must be a port number 0-65535, got "${raw}"`);
  }
  return port;
}

export function readChoice<T extends string>(
  env: Environment,
  variable: string,
  choices: readonly T[],
  fallback: T,
): T {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  if (!(choices as readonly string[]).includes(raw)) {
    throw new ConfigError(variable, `must be one of ${choices.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

export function readList(env: Environment, variable: string): string[] {
  return (env[variable] ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

export function loadServiceConfig(serviceName: string, env: Environment, defaultPort: number): ServiceConfig {
  return {
    serviceName,
    // This machine only unless the operator opens it (HOST=0.0.0.0 in a container).
    host: env['HOST'] || '127.0.0.1',
    port: readPort(env, 'PORT', defaultPort),
    logLevel: readChoice(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    redactPaths: readList(env, 'LOG_REDACT_PATHS'),
    ...(env['METRICS_TOKEN'] ? { metricsToken: env['METRICS_TOKEN'] } : {}),
    ...withTraceExport(loadTraceExport(serviceName, env)),
  };
}

const withTraceExport = (traceExport: TraceExport | undefined): { traceExport?: TraceExport } =>
  traceExport ? { traceExport } : {};
