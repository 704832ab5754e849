import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import type { InternalIdentity, ServiceClient } from '@evalvault/platform';
import type { CaseView, GetCasesQuery, ListRunsQuery, Page, RunSummary, RunView, RunsOperations, SubmitRunRequest, SubmittedRun } from '@evalvault/service-apis';
import { AccessGuard, Requires } from '../access/access.guard.js';
import { CANCEL_BODY, CASES_QUERY, LIST_RUNS_QUERY, PROJECT_PARAMS, RETRY_BODY, RUN_PARAMS, SUBMIT_RUN_BODY } from './runs.schemas.js';

export const RUNS_CLIENT = Symbol('RUNS_CLIENT');

/** The identity the owning service acts for: this caller, in this project. */
function identityOf(request: FastifyRequest, project: string): InternalIdentity {
  const principal = request.principal!;
  return {
    tenantId: principal.tenantId, projectId: project, roles: principal.projectRoles[project] ?? [],
    actor: { subject: principal.subject, authMethod: principal.authMethod, apiKeyId: principal.apiKeyId },
  };
}

/** /v1/projects/{project}/runs: each route is one call to the runs service. */
@Controller('v1/projects/:project/runs')
@UseGuards(AccessGuard)
export class RunsController {
  constructor(@Inject(RUNS_CLIENT) private readonly runs: ServiceClient<RunsOperations>) {}

  @Post()
  @HttpCode(202)
  @Requires('runs.submit')
  @RouteSchema({ params: PROJECT_PARAMS, body: SUBMIT_RUN_BODY })
  submit(@Req() request: FastifyRequest, @Param('project') project: string, @Body() body: SubmitRunRequest, @Headers('idempotency-key') key?: string): Promise<SubmittedRun> {
    return this.runs.call('submitRun', { ...body, idempotencyKey: key ?? null }, identityOf(request, project));
  }

  @Get()
  @Requires('runs.read')
  @RouteSchema({ params: PROJECT_PARAMS, querystring: LIST_RUNS_QUERY })
  list(@Req() request: FastifyRequest, @Param('project') project: string, @Query() query: ListRunsQuery & { dataset?: string }): Promise<Page<RunSummary>> {
    const { dataset, ...rest } = query;
    return this.runs.call('listRuns', { ...rest, ...(dataset ? { datasetKey: dataset } : {}) }, identityOf(request, project));
  }

  @Get(':runId')
  @Requires('runs.read')
  @RouteSchema({ params: RUN_PARAMS })
  get(@Req() request: FastifyRequest, @Param('project') project: string, @Param('runId') runId: string): Promise<RunView> {
    return this.runs.call('getRun', { runId }, identityOf(request, project));
  }

  @Get(':runId/cases')
  @Requires('runs.read')
  @RouteSchema({ params: RUN_PARAMS, querystring: CASES_QUERY })
  cases(@Req() request: FastifyRequest, @Param('project') project: string, @Param('runId') runId: string, @Query() query: Omit<GetCasesQuery, 'runId'>): Promise<Page<CaseView>> {
    return this.runs.call('getCases', { ...query, runId }, identityOf(request, project));
  }

  @Post(':runId/cancel')
  @HttpCode(202)
  @Requires('runs.cancel')
  @RouteSchema({ params: RUN_PARAMS, body: CANCEL_BODY })
  cancel(@Req() request: FastifyRequest, @Param('project') project: string, @Param('runId') runId: string, @Body() body: { reason?: string } | undefined): Promise<{ runId: string; status: string }> {
    return this.runs.call('cancelRun', { runId, reason: body?.reason ?? null }, identityOf(request, project));
  }

  @Post(':runId/retry')
  @HttpCode(202)
  @Requires('runs.retry')
  @RouteSchema({ params: RUN_PARAMS, body: RETRY_BODY })
  retry(@Req() request: FastifyRequest, @Param('project') project: string, @Param('runId') runId: string, @Body() body: { mode?: 'all' | 'failed' } | undefined): Promise<SubmittedRun> {
    return this.runs.call('retryRun', { runId, mode: body?.mode ?? 'failed' }, identityOf(request, project));
  }
}
