import { identityOf } from '../access/identity-of.js';
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServiceClient } from '@evalvault/platform';
import type {
  CaseView,
  GetCasesQuery,
  ListRunsQuery,
  Page,
  RunComparison,
  RunSummary,
  RunsOperations,
  SubmittedRun,
} from '@evalvault/service-apis';
import { AccessGuard, Requires } from '../access/access.guard.js';
import {
  CANCEL_BODY,
  CASES_QUERY,
  COMPARE_PARAMS,
  LIST_RUNS_QUERY,
  PROJECT_PARAMS,
  RETRY_BODY,
  RUN_PARAMS,
} from './runs.schemas.js';
import { RUN_COMPARISON } from './run-comparison.schemas.js';
import { sseFrame, streamRunProgress } from './run-progress.js';
import { projectPolicyOf, REGISTRY_CLIENT, type RegistryClient } from '../registry/index.js';
import { CREDENTIAL_WATCH, type CredentialWatch } from '../auth/credential-watch.js';
import { problemFor } from '../http/problem.js';
import { RUNS_CLIENT } from './runs.routes.js';

/**
 * /v1/projects/{project}/runs: each route is one call to the runs service. Submitting a run and
 * reading one, the busiest, are Fastify routes of their own (runs.routes.ts).
 */
@Controller('v1/projects/:project/runs')
@UseGuards(AccessGuard)
export class RunsController {
  constructor(
    @Inject(RUNS_CLIENT) private readonly runs: ServiceClient<RunsOperations>,
    @Inject(REGISTRY_CLIENT) private readonly registry: RegistryClient | null,
    @Inject(CREDENTIAL_WATCH) private readonly credentials: CredentialWatch | null,
  ) {}

  @Get()
  @Requires('runs.read')
  @RouteSchema({ params: PROJECT_PARAMS, querystring: LIST_RUNS_QUERY })
  list(
    @Req() request: FastifyRequest,
    @Param('project') project: string,
    @Query() query: ListRunsQuery & { dataset?: string },
  ): Promise<Page<RunSummary>> {
    const { dataset, ...rest } = query;
    return this.runs.call(
      'listRuns',
      { ...rest, ...(dataset ? { datasetKey: dataset } : {}) },
      identityOf(request, project),
    );
  }

  @Get(':runId/cases')
  @Requires('runs.read')
  @RouteSchema({ params: RUN_PARAMS, querystring: CASES_QUERY })
  cases(
    @Req() request: FastifyRequest,
    @Param('project') project: string,
    @Param('runId') runId: string,
    @Query() query: Omit<GetCasesQuery, 'runId'>,
  ): Promise<Page<CaseView>> {
    return this.runs.call('getCases', { ...query, runId }, identityOf(request, project));
  }

  @Get(':runId/events')
  @Requires('runs.read')
  @RouteSchema({ params: RUN_PARAMS })
  async events(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('project') project: string,
    @Param('runId') runId: string,
  ): Promise<void> {
    const identity = identityOf(request, project);
    await this.runs.call('getRun', { runId }, identity); // an unknown run answers 404 before the stream opens
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    let open = true;
    request.raw.on('close', () => {
      open = false;
    });
    // Up to 30 minutes: the credential is re-checked meanwhile, and a lapse ends the stream with
    // an `error` event carrying the problem (CREDENTIAL_REVOKED, CREDENTIAL_EXPIRED, FORBIDDEN).
    const stopWatching =
      this.credentials?.watch(request, 'runs.read', (ended) => {
        if (!open) return;
        open = false;
        reply.raw.end(sseFrame('error', problemFor(ended, request.url.split('?')[0] ?? '').problem));
      }) ?? (() => undefined);
    try {
      await streamRunProgress(this.runs, identity, runId, (frame) => {
        if (!open) return false; // the client went away, or the credential lapsed: stop following the run
        reply.raw.write(frame);
        return true;
      });
    } catch (error) {
      if (open) reply.raw.write(sseFrame('error', { message: (error as Error).message }));
    } finally {
      stopWatching();
      if (!reply.raw.writableEnded) reply.raw.end();
    }
  }

  @Get(':runId/compare/:otherRunId')
  @Requires('runs.read')
  @RouteSchema({ params: COMPARE_PARAMS, response: { 200: RUN_COMPARISON } })
  compare(
    @Req() request: FastifyRequest,
    @Param('project') project: string,
    @Param('runId') runId: string,
    @Param('otherRunId') otherRunId: string,
  ): Promise<RunComparison> {
    return this.runs.call('compareRuns', { runId, otherRunId }, identityOf(request, project));
  }

  @Post(':runId/cancel')
  @HttpCode(202)
  @Requires('runs.cancel')
  @RouteSchema({ params: RUN_PARAMS, body: CANCEL_BODY })
  cancel(
    @Req() request: FastifyRequest,
    @Param('project') project: string,
    @Param('runId') runId: string,
    @Body() body: { reason?: string } | undefined,
  ): Promise<{ runId: string; status: string }> {
    return this.runs.call('cancelRun', { runId, reason: body?.reason ?? null }, identityOf(request, project));
  }

  @Post(':runId/retry')
  @HttpCode(202)
  @Requires('runs.retry')
  @RouteSchema({ params: RUN_PARAMS, body: RETRY_BODY })
  async retry(
    @Req() request: FastifyRequest,
    @Param('project') project: string,
    @Param('runId') runId: string,
    @Body() body: { mode?: 'all' | 'failed' } | undefined,
  ): Promise<SubmittedRun> {
    const identity = identityOf(request, project);
    const policy = await projectPolicyOf(this.registry, identity); // a retry is checked against the policy of now
    return this.runs.call('retryRun', { runId, mode: body?.mode ?? 'failed', policy }, identity);
  }
}
