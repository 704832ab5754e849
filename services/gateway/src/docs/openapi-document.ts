import { createLogger, createServiceApp, ServiceClientError, ServiceClientErrorCode } from '@evalvault/platform';
import { GatewayModule } from '../gateway.module.js';
import { installHttpEdges } from '../http/index.js';
import type { OpenApiDocument } from './describe-api.js';
import { installOpenApi } from './openapi.js';

/** The version the gateway documents itself with (gateway.runtime.ts passes the same). */
export const API_VERSION = '0.1.0';

/**
 * The document /openapi.json serves, made without a database, a broker or a port: the gateway's
 * controllers with every owner present (so every route is registered) and none reachable. The
 * clients generated from it (clients/python) are generated from this, and their test checks that
 * a running platform serves the same document.
 */
export async function renderOpenApiDocument(): Promise<OpenApiDocument> {
  const refuse = async (): Promise<never> => {
    throw new ServiceClientError(ServiceClientErrorCode.Unavailable, 'the document needs no owner');
  };
  const unreachable = { call: refuse, stream: refuse, uploadDataset: refuse };
  const config = { serviceName: 'gateway', host: '127.0.0.1', port: 0, logLevel: 'silent' as const, redactPaths: [] };
  const module = GatewayModule.with({
    runs: unreachable,
    apiKeys: null,
    members: null,
    notifications: unreachable,
    audit: unreachable,
    registry: unreachable,
    memory: unreachable,
  });
  const app = await createServiceApp(module, config, createLogger(config));
  try {
    const fastify = app.getHttpAdapter().getInstance();
    await installOpenApi(fastify, API_VERSION);
    await installHttpEdges(app, { rateLimit: false, idempotency: false });
    await app.init();
    await fastify.ready();
    return fastify.swagger() as unknown as OpenApiDocument;
  } finally {
    await app.close();
  }
}
