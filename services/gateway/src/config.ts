import {
  ConfigError,
  loadEventStoreSettings,
  loadKafkaSettings,
  loadServiceConfig,
  readChoice,
  readPositiveInt,
  type Environment,
  type EventStoreSettings,
  type KafkaSettings,
  type ServiceConfig,
} from '@evalvault/platform';
import { loadHttpEdgesConfig, type HttpEdgesConfig } from './http/index.js';
import { DEFAULT_STREAM_RECHECK_MS } from './auth/credential-watch.js';
import type { ConsoleClient } from './console/index.js';

export const DEFAULT_PORT = 8080;

export interface GatewayConfig extends ServiceConfig {
  databaseUrl: string;
  /** Where its streams are kept: EVENT_STORE (postgres, eventstoredb) and EVENTSTOREDB_URL. */
  eventStore: EventStoreSettings;
  /** Where the relay publishes the gateway's own streams (API keys, members, denied accesses). */
  kafka: KafkaSettings;
  /** The relay's checkpoint name, and where a relay without a checkpoint starts in the event log. */
  relayName: string;
  relayStart: 'earliest' | 'latest';
  /** The runs service's internal API. */
  runsUrl: string;
  /** The notifier's internal API. */
  notifierUrl: string;
  /** The audit service's internal API. */
  auditUrl: string;
  /** The registry's internal API, and the largest dataset a client may stream to it (bytes). */
  registryUrl: string;
  datasetUploadMaxBytes: number;
  /** The memory service's internal API (Domain Memory). */
  memoryUrl: string;
  /** Secret references (env:NAME or file:/path), never the secrets. */
  internalSecretRef: string | null;
  apiKeyPepperRef: string | null;
  /** A key the operator chose, made admin of project `default` at start; null: none. */
  bootstrapAdminKey: string | null;
  /** console: the web console's OIDC client (sign-in in the browser); null: the console takes API keys only. */
  oidc: { issuer: string; audience: string; jwksUri: string | null; console: ConsoleClient | null } | null;
  http: HttpEdgesConfig;
  /** How often a long response (run progress SSE, audit export) re-checks its credential, in ms. */
  streamRecheckMs: number;
}

/** Default 256 MiB, the registry's own default limit. */
/** GATEWAY_DATASET_UPLOAD_MAX_BYTES: the largest streamed dataset upload (default 256 MiB). */
export function datasetUploadLimit(env: Environment, variable = 'GATEWAY_DATASET_UPLOAD_MAX_BYTES'): number {
  const raw = env[variable];
  if (raw === undefined || raw === '') return 256 * 1024 * 1024;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1)
    throw new ConfigError(variable, `must be a whole number of bytes >= 1, got "${raw}"`);
  return value;
}

/** A secret reference distributed mode cannot run without (the embedded platform makes its own secrets). */
export function requiredRef(value: string | null, variable: string, what: string): string {
  if (!value) throw new ConfigError(variable, `is required: ${what}`);
  return value;
}

/** Apart, because migrating needs the database and none of the secrets. */
export function gatewayDatabaseUrl(env: Environment): string {
  return env['DATABASE_URL'] || 'postgres://evalvault@127.0.0.1:5432/evalvault';
}

/** The only place the gateway reads its environment. */
export function loadConfig(env: Environment): GatewayConfig {
  const issuer = env['EVALVAULT_OIDC_ISSUER'] || null;
  const consoleClientId = env['EVALVAULT_OIDC_CONSOLE_CLIENT_ID'] || null;
  if (consoleClientId && !issuer)
    throw new ConfigError('EVALVAULT_OIDC_CONSOLE_CLIENT_ID', 'is set but EVALVAULT_OIDC_ISSUER is not: whose client?');
  return {
    ...loadServiceConfig('gateway', env, DEFAULT_PORT),
    databaseUrl: gatewayDatabaseUrl(env),
    kafka: loadKafkaSettings(env, 'evalvault-gateway'),
    eventStore: loadEventStoreSettings(env),
    relayName: env['GATEWAY_RELAY_NAME'] || 'gateway',
    relayStart: readChoice(env, 'GATEWAY_RELAY_START', ['earliest', 'latest'] as const, 'earliest'),
    runsUrl: env['RUNS_SERVICE_URL'] || 'http://127.0.0.1:8081',
    notifierUrl: env['NOTIFIER_SERVICE_URL'] || 'http://127.0.0.1:8085',
    auditUrl: env['AUDIT_SERVICE_URL'] || 'http://127.0.0.1:8084',
    registryUrl: env['REGISTRY_SERVICE_URL'] || 'http://127.0.0.1:8082',
    datasetUploadMaxBytes: datasetUploadLimit(env),
    memoryUrl: env['MEMORY_SERVICE_URL'] || 'http://127.0.0.1:8083',
    internalSecretRef: env['EVALVAULT_INTERNAL_SECRET_REF'] || null,
    apiKeyPepperRef: env['EVALVAULT_API_KEY_PEPPER_REF'] || null,
    bootstrapAdminKey: env['EVALVAULT_BOOTSTRAP_ADMIN_KEY'] || null,
    oidc: issuer
      ? {
          issuer,
          audience: env['EVALVAULT_OIDC_AUDIENCE'] || 'evalvault-api',
          jwksUri: env['EVALVAULT_OIDC_JWKS_URI'] || null,
          console: consoleClientId
            ? { clientId: consoleClientId, scope: env['EVALVAULT_OIDC_CONSOLE_SCOPE'] || 'openid' }
            : null,
        }
      : null,
    http: loadHttpEdgesConfig(env),
    streamRecheckMs: readPositiveInt(env, 'GATEWAY_STREAM_RECHECK_MS', DEFAULT_STREAM_RECHECK_MS),
  };
}
