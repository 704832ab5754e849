import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { describeApi, type OpenApiDocument } from './describe-api.js';
import { ROUTE_DOCS } from './routes/index.js';

/**
 * OpenAPI 3 generated from the routes themselves: every route's JSON Schemas (the ones that
 * validate requests) become its documented parameters and body, so the document cannot
 * describe an API other than the one served; each route's documentation (docs/routes) adds
 * what it is for, its success statuses, the problems it answers and its security. Served at /docs.
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
  fastify.get('/docs', { schema: { hide: true } }, async () => fastify.swagger());
}
