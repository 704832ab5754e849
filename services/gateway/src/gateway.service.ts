import { defineOwnerService, HttpServiceClient, InternalIdentitySigner, secretResolver } from '@evalvault/platform';
import type {
  AuditOperations,
  AuditStreams,
  MemoryOperations,
  NotificationsOperations,
  RegistryOperations,
  RunsOperations,
} from '@evalvault/service-apis';
import { discoverJwksUri } from './auth/index.js';
import { loadConfig, requiredRef, type GatewayConfig } from './config.js';
import type { ConsoleClient } from './console/index.js';
import { GATEWAY_MIGRATIONS, GATEWAY_SCHEMA } from './migrations/gateway.migrations.js';
import { createGatewayRuntime, type GatewayClients } from './gateway.runtime.js';
import { GATEWAY_STREAM_PREFIXES } from './members/members.decider.js';
import { HttpRegistryClient } from './registry/index.js';

/**
 * What the gateway trusts and calls: the owners' clients, the OIDC issuer (and the web console's client
 * there, if any), the API-key pepper.
 */
export interface GatewayPeers {
  clients: GatewayClients;
  oidc: { issuer: string; audience: string; jwksUri: string; console?: ConsoleClient | null } | null;
  pepper: Buffer;
}

/**
 * The gateway: the public REST API. It owns API keys, members and denied accesses (relayed like
 * any owner's streams) and calls the owning services through their clients: HTTP with a signed
 * internal identity in distributed mode (below), in-process in the embedded platform.
 */
export const GATEWAY_SERVICE = defineOwnerService<
  GatewayConfig,
  Record<never, never>,
  Record<never, never>,
  undefined,
  GatewayPeers
>({
  name: 'gateway',
  streams: GATEWAY_STREAM_PREFIXES,
  migrations: [[GATEWAY_SCHEMA, GATEWAY_MIGRATIONS]],
  config: loadConfig,
  async peers(config) {
    const secrets = secretResolver();
    const identitySecret = requiredRef(
      config.internalSecretRef,
      'EVALVAULT_INTERNAL_SECRET_REF',
      'where the secret signing internal identities is (env:NAME or file:/path)',
    );
    const pepperRef = requiredRef(
      config.apiKeyPepperRef,
      'EVALVAULT_API_KEY_PEPPER_REF',
      'where the pepper hashing API keys is (env:NAME or file:/path)',
    );
    const signer = new InternalIdentitySigner({ secret: Buffer.from(await secrets(identitySecret), 'utf8') });
    return {
      pepper: Buffer.from(await secrets(pepperRef), 'utf8'),
      oidc: config.oidc
        ? { ...config.oidc, jwksUri: config.oidc.jwksUri ?? (await discoverJwksUri(config.oidc.issuer)) }
        : null,
      clients: {
        runs: new HttpServiceClient<RunsOperations>({ serviceName: 'runs', baseUrl: config.runsUrl, signer }),
        notifications: new HttpServiceClient<NotificationsOperations>({
          serviceName: 'notifier',
          baseUrl: config.notifierUrl,
          signer,
        }),
        audit: new HttpServiceClient<AuditOperations, AuditStreams>({
          serviceName: 'audit',
          baseUrl: config.auditUrl,
          signer,
        }),
        registry: new HttpRegistryClient(
          new HttpServiceClient<RegistryOperations>({ serviceName: 'registry', baseUrl: config.registryUrl, signer }),
          { baseUrl: config.registryUrl, signer, maxUploadBytes: config.datasetUploadMaxBytes },
        ),
        memory: new HttpServiceClient<MemoryOperations>({ serviceName: 'memory', baseUrl: config.memoryUrl, signer }),
      },
    };
  },
  async compose(config, adapters, peers) {
    const gateway = await createGatewayRuntime({
      config,
      logger: adapters.logger,
      pool: adapters.pool,
      store: adapters.store,
      oidc: peers.oidc,
      pepper: peers.pepper,
      clients: peers.clients,
    });
    return {
      module: gateway.module,
      consumers: [],
      internalApi: null,
      beforeListen: (app) => gateway.beforeListen(app),
      readiness: [],
      close: async () => undefined,
      exports: undefined,
    };
  },
});
