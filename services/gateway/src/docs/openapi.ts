import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { DOCS_HEADERS, DOCS_PAGE, wantsHtml } from '../console/index.js';
import { describeApi, type OpenApiDocument } from './describe-api.js';
import { ROUTE_DOCS } from './routes/index.js';

/**
 * OpenAPI 3 generated from the routes themselves: every route's JSON Schemas (the ones that
 * validate requests) become its documented parameters and body, so the document cannot
 * describe an API other than the one served; each route's documentation (docs/routes) adds
 * what it is for, its success statuses, the problems it answers and its security. Served at /docs (to a
 * browser as Swagger UI) and /openapi.json.
 */
export async function installOpenApi(fastify: FastifyInstance, version: string): Promise<void> {
  await fastify.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'EvalVault Platform API',
        version,
        description: 'Evaluation runs, registry, memory, audit and notifications for LLM and RAG systems.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An OIDC access token or an API key evk_…' },
        },
      },
    },
    hideUntagged: false,
    transformObject: (document) =>
      describeApi(('openapiObject' in document ? document.openapiObject : {}) as OpenApiDocument, ROUTE_DOCS) as never,
  });
  // A browser gets the interactive reference (Swagger UI, served locally); any other client the document.
  fastify.get('/docs', { schema: { hide: true } }, async (request, reply) => {
    if (!wantsHtml(request.headers.accept)) return fastify.swagger();
    return reply.headers(DOCS_HEADERS).type('text/html; charset=utf-8').send(DOCS_PAGE);
  });
  fastify.get('/openapi.json', { schema: { hide: true } }, async () => fastify.swagger());
}
