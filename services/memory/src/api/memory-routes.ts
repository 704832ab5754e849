import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import {
  INTERNAL_IDENTITY_HEADER,
  PROBLEM_CONTENT_TYPE,
  ServiceClientError,
  ServiceClientErrorCode,
  type InternalIdentity,
  type InternalIdentityVerifier,
  type OperationHandlers,
} from '@evalvault/platform';
import type { MemoryOperations } from '@evalvault/service-apis';

/** Where the resource-style internal routes live: `/internal/projects/:project/memory/…`. */
export const MEMORY_ROUTES_PREFIX = '/internal/projects/:project/memory';

type Query = Record<string, string | string[] | undefined>;
type Params = Record<string, string>;

interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  status?: number;
  input(params: Params, query: Query, body: unknown): unknown;
  call(handlers: OperationHandlers<MemoryOperations>, input: unknown, identity: InternalIdentity): Promise<unknown>;
}

const NUMBER = /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

const BOOLEANS: Record<string, boolean> = { true: true, false: false };

/**
 * A query-string value: numbers where a number is expected, true/false where a flag is (anything
 * else is passed on, and refused as such by the operation).
 */
function fromQuery(query: Query, numeric: readonly string[], flags: readonly string[] = []): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(query)) {
    if (raw === undefined) continue;
    if (Array.isArray(raw)) throw invalid(`${name}: given more than once`);
    if (flags.includes(name) && raw in BOOLEANS) input[name] = BOOLEANS[raw];
    else input[name] = numeric.includes(name) && NUMBER.test(raw) ? Number(raw) : raw;
  }
  return input;
}

const invalid = (message: string) => new ServiceClientError(ServiceClientErrorCode.InvalidInput, message);
const bodyObject = (body: unknown): Record<string, unknown> => {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw invalid('the body must be a JSON object');
  return body as Record<string, unknown>;
};

/* eslint-disable @typescript-eslint/no-explicit-any -- each route hands its own operation the input it built */
const ROUTES: RouteSpec[] = [
  {
    method: 'GET',
    path: '/facts',
    input: (_p, q) => fromQuery(q, ['minScore', 'limit'], ['usable']),
    call: (h, input, id) => h.searchFacts(input as any, id),
  },
  {
    method: 'GET',
    path: '/facts/:factId',
    input: (p) => ({ factId: p['factId'] }),
    call: (h, i, id) => h.getFact(i as any, id),
  },
  {
    method: 'POST',
    path: '/facts/:factId/verify',
    input: (p, _q, body) => ({ ...bodyObject(body), factId: p['factId'] }),
    call: (h, i, id) => h.verifyFact(i as any, id),
  },
  {
    method: 'POST',
    path: '/facts/:factId/reject',
    input: (p, _q, body) => ({ ...bodyObject(body), factId: p['factId'] }),
    call: (h, i, id) => h.rejectFact(i as any, id),
  },
  {
    method: 'GET',
    path: '/behaviours',
    input: (_p, q) => fromQuery(q, ['minScore', 'limit']),
    call: (h, i, id) => h.searchBehaviours(i as any, id),
  },
  {
    method: 'GET',
    path: '/behaviours/:behaviourId',
    input: (p) => ({ behaviourId: p['behaviourId'] }),
    call: (h, i, id) => h.getBehaviour(i as any, id),
  },
  {
    method: 'GET',
    path: '/learnings',
    input: (_p, q) => fromQuery(q, ['limit']),
    call: (h, i, id) => h.listLearnings(i as any, id),
  },
  {
    method: 'POST',
    path: '/deletions',
    status: 202,
    input: (_p, _q, body) => bodyObject(body),
    call: (h, i, id) => h.requestDeletion(i as any, id),
  },
  {
    method: 'GET',
    path: '/deletions',
    input: (_p, q) => fromQuery(q, ['limit']),
    call: (h, i, id) => h.listDeletions(i as any, id),
  },
  { method: 'GET', path: '/policy', input: () => ({}), call: (h, i, id) => h.getMemoryPolicy(i as any, id) },
  {
    method: 'PUT',
    path: '/policy',
    input: (_p, _q, body) => bodyObject(body),
    call: (h, i, id) => h.setMemoryPolicy(i as any, id),
  },
  { method: 'GET', path: '/export', input: () => ({}), call: (h, i, id) => h.exportMemory(i as any, id) },
  {
    method: 'POST',
    path: '/import',
    input: (_p, _q, body) => bodyObject(body),
    call: (h, i, id) => h.importMemory(i as any, id),
  },
  { method: 'POST', path: '/maintenance', input: () => ({}), call: (h, i, id) => h.runMaintenance(i as any, id) },
  {
    method: 'GET',
    path: '/runs/:runId/insights',
    input: (p) => ({ runId: p['runId'] }),
    call: (h, i, id) => h.runInsights(i as any, id),
  },
];
/* eslint-enable @typescript-eslint/no-explicit-any */

/**
 * The memory operations as resource routes under `/internal/projects/:project/memory/…` (operators,
 * tests, curl): the same handlers as `POST /internal/v1/{operation}`, behind the same signed
 * identity. The path's project must be the identity's (another project's is not found); errors
 * are problem+json.
 */
export function registerMemoryRoutes(
  fastify: FastifyInstance,
  handlers: OperationHandlers<MemoryOperations>,
  verifier: InternalIdentityVerifier,
  logger: Logger,
): void {
  for (const spec of ROUTES) {
    fastify.route({
      method: spec.method,
      url: `${MEMORY_ROUTES_PREFIX}${spec.path}`,
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        try {
          const header = request.headers[INTERNAL_IDENTITY_HEADER];
          if (Array.isArray(header))
            throw new ServiceClientError(ServiceClientErrorCode.Unauthenticated, 'more than one identity header');
          const identity = await verifier.verify(header);
          const params = request.params as Params;
          if (identity.projectId === null || identity.projectId !== params['project'])
            throw new ServiceClientError(ServiceClientErrorCode.NotFound, `project ${params['project']} not found`);
          const input = spec.input(params, request.query as Query, request.body);
          const output = await spec.call(handlers, input, identity);
          return await reply
            .code(spec.status ?? 200)
            .type('application/json; charset=utf-8')
            .send(JSON.stringify(output));
        } catch (error) {
          const problem = asProblem(error, logger, request.url);
          return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
        }
      },
      errorHandler: (error, request, reply) => {
        const problem = asProblem(error, logger, request.url);
        void reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
      },
    });
  }
}

function asProblem(
  error: unknown,
  logger: Logger,
  url: string,
): { type: string; title: string; status: number; detail: string; code: string } {
  let known: ServiceClientError;
  if (error instanceof ServiceClientError) known = error;
  else {
    const status = (error as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500)
      known = new ServiceClientError(ServiceClientErrorCode.InvalidInput, (error as Error).message, { status });
    else {
      logger.error({ err: error, url }, 'memory route failed');
      known = new ServiceClientError(ServiceClientErrorCode.Internal, 'internal error');
    }
  }
  return {
    type: `urn:evalvault:problem:${known.code.toLowerCase().replaceAll('_', '-')}`,
    title: known.code,
    status: known.status,
    detail: known.message,
    code: known.code,
  };
}
