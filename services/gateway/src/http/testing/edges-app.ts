import type { DynamicModule, Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger, createServiceApp, type ErrorLogger } from '@evalvault/platform';
import { installHttpEdges, type HttpEdgesOptions } from '../http-edges.js';

/** The header tests use to say who calls; stands in for the auth layer. */
export const TEST_TENANT_HEADER = 'x-test-tenant';
/** With the tenant header: which caller (principal subject) within the tenant. */
export const TEST_CALLER_HEADER = 'x-test-caller';

export interface EdgesApp {
  app: NestFastifyApplication;
  url: string;
  /** What the edges logged as internal errors. */
  logged: { details: object; message: string }[];
}

/**
 * A real service app (createServiceApp, as the gateway boots) with the edges installed and a
 * stand-in for the auth layer: a preHandler hook that sets `request.principal` from a header.
 */
export async function startEdgesApp(
  feature: Type | DynamicModule,
  options: Omit<HttpEdgesOptions, 'logger'>,
): Promise<EdgesApp> {
  const config = {
    serviceName: 'gateway-http-test',
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent' as const,
    redactPaths: [],
  };
  const app = await createServiceApp(feature, config, createLogger(config));
  const logged: EdgesApp['logged'] = [];
  const logger: ErrorLogger = { error: (details, message) => logged.push({ details, message }) };
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('preHandler', async (request) => {
      const tenantId = request.headers[TEST_TENANT_HEADER];
      const subject = request.headers[TEST_CALLER_HEADER];
      if (typeof tenantId === 'string') Object.assign(request, { principal: { tenantId, subject } });
    });
  await installHttpEdges(app, { ...options, logger });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.getHttpServer().address() as { port: number };
  return { app, url: `http://127.0.0.1:${port}`, logged };
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
