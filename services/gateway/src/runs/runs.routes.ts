import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServiceClient } from '@evalvault/platform';
import type { RunView, RunsOperations, SubmittedRun } from '@evalvault/service-apis';
import { authorize } from '../access/access.guard.js';
import { identityOf } from '../access/identity-of.js';
import { answerIdempotently, type Idempotency } from '../http/idempotency/answer-idempotently.js';
import { pinRunReferences, REGISTRY_CLIENT, type RegistryClient, type SubmitRunBody } from '../registry/index.js';
import { PROJECT_PARAMS, RUN_PARAMS, SUBMIT_RUN_BODY } from './runs.schemas.js';

const JSON_MEDIA_TYPE = 'application/json; charset=utf-8';

export const RUNS_CLIENT = Symbol('RUNS_CLIENT');
/** The gateway's Idempotency-Key store and logger, or null where keys are left unhandled (tests of other routes). */
export const IDEMPOTENCY = Symbol('IDEMPOTENCY');

export interface RunRoutesParts {
  runs: ServiceClient<RunsOperations>;
  registry: RegistryClient | null;
  /** Idempotency-Key handling, as the interceptor gives Nest's routes; false leaves the header unhandled. */
  idempotency: Idempotency | false;
}

type RunRequest = FastifyRequest<{ Params: { project: string; runId: string } }>;
type SubmitRequest = FastifyRequest<{
  Params: { project: string };
  Body: SubmitRunBody;
  Headers: { 'idempotency-key'?: string };
}>;

/**
 * The two busiest routes of the API, `GET …/runs/{runId}` and `POST …/runs`, as Fastify routes
 * rather than Nest controller methods: Nest's per-request chain (guard and interceptor contexts,
 * rxjs, parameter pipes) cost more than the route's own work (docs/performance.md). Everything else
 * is the same as for a controller route: the shared hooks authenticate, rate-limit, trace, count and
 * record denied accesses; errors reach the same problem-details filter through Fastify's error
 * handler; the route schemas validate and document; `authorize` is the access guard's check.
 */
export function installRunRoutes(fastify: FastifyInstance, parts: RunRoutesParts): void {
  const { runs, registry, idempotency } = parts;
  fastify.get(
    '/v1/projects/:project/runs/:runId',
    { schema: { params: RUN_PARAMS } },
    async (request: RunRequest, reply: FastifyReply): Promise<RunView | FastifyReply> => {
      authorize(request, 'runs.read');
      const { project, runId } = request.params;
      const identity = identityOf(request, project);
      if (!runs.callJsonText) return runs.call('getRun', { runId }, identity);
      // The owner's answer is JSON text already (in-process): sent as it is, not parsed and serialised again.
      return reply.type(JSON_MEDIA_TYPE).send(await runs.callJsonText('getRun', { runId }, identity));
    },
  );
  fastify.post(
    '/v1/projects/:project/runs',
    { schema: { params: PROJECT_PARAMS, body: SUBMIT_RUN_BODY } },
    async (request: SubmitRequest, reply: FastifyReply): Promise<SubmittedRun> => {
      authorize(request, 'runs.submit');
      void reply.code(202);
      const submit = async (): Promise<SubmittedRun> => {
        const { body } = request;
        const identity = identityOf(request, request.params.project);
        // Exact versions, approved where required, and the project's policy the runs service checks the run against.
        const pinned = await pinRunReferences(registry, body, identity);
        const key = request.headers['idempotency-key'] ?? null;
        return runs.call('submitRun', { ...body, ...pinned, idempotencyKey: key }, identity);
      };
      if (!idempotency) return submit();
      return answerIdempotently(idempotency, request, reply, false, submit) as Promise<SubmittedRun>;
    },
  );
}

/**
 * Registers the routes above as Nest registers its controllers' (at init, after the edges' hooks were
 * installed), so every app built from GatewayModule serves and documents them.
 */
@Injectable()
export class RunRoutes implements OnModuleInit {
  constructor(
    private readonly host: HttpAdapterHost,
    @Inject(RUNS_CLIENT) private readonly runs: ServiceClient<RunsOperations>,
    @Inject(REGISTRY_CLIENT) private readonly registry: RegistryClient | null,
    @Inject(IDEMPOTENCY) private readonly idempotency: Idempotency | null,
  ) {}

  onModuleInit(): void {
    const fastify = this.host.httpAdapter.getInstance<FastifyInstance>();
    installRunRoutes(fastify, { runs: this.runs, registry: this.registry, idempotency: this.idempotency ?? false });
  }
}
