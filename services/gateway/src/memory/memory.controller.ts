import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put, Query, Req, UseGuards } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import type {
  BehaviourPage,
  BehaviourView,
  LearningView,
  ListDeletionsQuery,
  ListLearningsQuery,
  MemoryDeletionRequest,
  MemoryDeletionResult,
  MemoryDeletionView,
  MemoryExport,
  MemoryImportRequest,
  MemoryImportResult,
  MemoryMaintenanceResult,
  MemoryPolicyView,
  Page,
  RunInsights,
  SearchBehavioursQuery,
  SetMemoryPolicyRequest,
} from '@evalvault/service-apis';
import { AccessGuard, Requires } from '../access/access.guard.js';
import { identityOf } from '../access/identity-of.js';
import { MEMORY_CLIENT, type MemoryClient } from './memory-client.js';
import {
  BEHAVIOUR_PAGE,
  BEHAVIOUR_PARAMS,
  BEHAVIOUR_VIEW,
  BEHAVIOURS_QUERY,
  DELETION_BODY,
  DELETION_PAGE,
  DELETION_RESULT,
  DELETIONS_QUERY,
  IMPORT_BODY,
  IMPORT_RESULT,
  LEARNING_PAGE,
  LEARNINGS_QUERY,
  MAINTENANCE_RESULT,
  MEMORY_EXPORT,
  MEMORY_POLICY_VIEW,
  PROJECT_PARAMS,
  RUN_INSIGHTS,
  RUN_PARAMS,
  SET_MEMORY_POLICY_BODY,
} from './memory.schemas.js';

/**
 * The rest of /v1/projects/{project}/memory: behaviours, learnings, deletion requests, the memory
 * policy, export and import, maintenance and a run's insights. Each route is one memory call.
 */
@Controller('v1/projects/:project/memory')
@UseGuards(AccessGuard)
export class MemoryController {
  constructor(@Inject(MEMORY_CLIENT) private readonly memory: MemoryClient) {}

  @Get('behaviours')
  @Requires('memory.read')
  @RouteSchema({ params: PROJECT_PARAMS, querystring: BEHAVIOURS_QUERY, response: { 200: BEHAVIOUR_PAGE } })
  behaviours(
    @Req() request: FastifyRequest,
    @Param('project') project: string,
    @Query() query: SearchBehavioursQuery,
  ): Promise<BehaviourPage> {
    return this.memory.call('searchBehaviours', query, identityOf(request, project));
  }

  @Get('behaviours/:behaviourId')
  @Requires('memory.read')
  @RouteSchema({ params: BEHAVIOUR_PARAMS, response: { 200: BEHAVIOUR_VIEW } })
  behaviour(
    @Req() request: FastifyRequest,
    @Param('project') project: string,
    @Param('behaviourId') behaviourId: string,
  ): Promise<BehaviourView> {
    return this.memory.call('getBehaviour', { behaviourId }, identityOf(request, project));
  }

  @Get('learnings')
  @Requires('memory.read')
  @RouteSchema({ params: PROJECT_PARAMS, querystring: LEARNINGS_QUERY, response: { 200: LEARNING_PAGE } })
  learnings(
    @Req() request: FastifyRequest,
    @Param('project') project: string,
    @Query() query: ListLearningsQuery,
  ): Promise<Page<LearningView>> {
    return this.memory.call('listLearnings', query, identityOf(request, project));
  }

  @Post('deletions')
  @HttpCode(202)
  @Requires('memory.forget')
  @RouteSchema({ params: PROJECT_PARAMS, body: DELETION_BODY, response: { 202: DELETION_RESULT } })
  delete(
    @Req() request: FastifyRequest,
    @Param('project') project: string,
    @Body() body: MemoryDeletionRequest,
  ): Promise<MemoryDeletionResult> {
    return this.memory.call('requestDeletion', body, identityOf(request, project));
  }

  @Get('deletions')
  @Requires('memory.deletions.read')
  @RouteSchema({ params: PROJECT_PARAMS, querystring: DELETIONS_QUERY, response: { 200: DELETION_PAGE } })
  deletions(
    @Req() request: FastifyRequest,
    @Param('project') project: string,
    @Query() query: ListDeletionsQuery,
  ): Promise<Page<MemoryDeletionView>> {
    return this.memory.call('listDeletions', query, identityOf(request, project));
  }

  @Get('policy')
  @Requires('memory.read')
  @RouteSchema({ params: PROJECT_PARAMS, response: { 200: MEMORY_POLICY_VIEW } })
  policy(@Req() request: FastifyRequest, @Param('project') project: string): Promise<MemoryPolicyView> {
    return this.memory.call('getMemoryPolicy', {}, identityOf(request, project));
  }

  @Put('policy')
  @Requires('policy.manage')
  @RouteSchema({ params: PROJECT_PARAMS, body: SET_MEMORY_POLICY_BODY, response: { 200: MEMORY_POLICY_VIEW } })
  setPolicy(
    @Req() request: FastifyRequest,
    @Param('project') project: string,
    @Body() body: SetMemoryPolicyRequest,
  ): Promise<MemoryPolicyView> {
    return this.memory.call('setMemoryPolicy', body, identityOf(request, project));
  }

  @Get('export')
  @Requires('memory.read')
  @RouteSchema({ params: PROJECT_PARAMS, response: { 200: MEMORY_EXPORT } })
  export(@Req() request: FastifyRequest, @Param('project') project: string): Promise<MemoryExport> {
    return this.memory.call('exportMemory', {}, identityOf(request, project));
  }

  @Post('import')
  @HttpCode(200)
  @Requires('memory.verify')
  @RouteSchema({ params: PROJECT_PARAMS, body: IMPORT_BODY, response: { 200: IMPORT_RESULT } })
  import(
    @Req() request: FastifyRequest,
    @Param('project') project: string,
    @Body() body: MemoryImportRequest,
  ): Promise<MemoryImportResult> {
    return this.memory.call('importMemory', body, identityOf(request, project));
  }

  @Post('maintenance')
  @HttpCode(200)
  @Requires('memory.forget')
  @RouteSchema({ params: PROJECT_PARAMS, response: { 200: MAINTENANCE_RESULT } })
  maintenance(@Req() request: FastifyRequest, @Param('project') project: string): Promise<MemoryMaintenanceResult> {
    return this.memory.call('runMaintenance', {}, identityOf(request, project));
  }

  @Get('runs/:runId/insights')
  @Requires('memory.read')
  @RouteSchema({ params: RUN_PARAMS, response: { 200: RUN_INSIGHTS } })
  insights(
    @Req() request: FastifyRequest,
    @Param('project') project: string,
    @Param('runId') runId: string,
  ): Promise<RunInsights> {
    return this.memory.call('runInsights', { runId }, identityOf(request, project));
  }
}
