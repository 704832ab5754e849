import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import type { FactPage, FactView, SearchFactsQuery } from '@evalvault/service-apis';
import { AccessGuard, Requires } from '../access/access.guard.js';
import { identityOf } from '../access/identity-of.js';
import { MEMORY_CLIENT, type MemoryClient } from './memory-client.js';
import {
  FACT_PAGE,
  FACT_PARAMS,
  FACT_VIEW,
  FACTS_QUERY,
  PROJECT_PARAMS,
  REJECT_BODY,
  VERIFY_BODY,
} from './memory.schemas.js';

/**
 * /v1/projects/{project}/memory/facts: the project's facts, searched, read, verified and rejected;
 * each route is one call to the memory service, which answers a fact of another tenant or project
 * as missing.
 */
@Controller('v1/projects/:project/memory/facts')
@UseGuards(AccessGuard)
export class MemoryFactsController {
  constructor(@Inject(MEMORY_CLIENT) private readonly memory: MemoryClient) {}

  @Get()
  @Requires('memory.read')
  @RouteSchema({ params: PROJECT_PARAMS, querystring: FACTS_QUERY, response: { 200: FACT_PAGE } })
  search(
    @Req() request: FastifyRequest,
    @Param('project') project: string,
    @Query() query: SearchFactsQuery,
  ): Promise<FactPage> {
    return this.memory.call('searchFacts', query, identityOf(request, project));
  }

  @Get(':factId')
  @Requires('memory.read')
  @RouteSchema({ params: FACT_PARAMS, response: { 200: FACT_VIEW } })
  get(@Req() request: FastifyRequest, @Param('project') project: string, @Param('factId') factId: string) {
    return this.memory.call('getFact', { factId }, identityOf(request, project));
  }

  @Post(':factId/verify')
  @HttpCode(200)
  @Requires('memory.verify')
  @RouteSchema({ params: FACT_PARAMS, body: VERIFY_BODY, response: { 200: FACT_VIEW } })
  verify(
    @Req() request: FastifyRequest,
    @Param('project') project: string,
    @Param('factId') factId: string,
    @Body() body: { reason?: string } | undefined,
  ): Promise<FactView> {
    return this.memory.call('verifyFact', { factId, reason: body?.reason ?? null }, identityOf(request, project));
  }

  @Post(':factId/reject')
  @HttpCode(200)
  @Requires('memory.verify')
  @RouteSchema({ params: FACT_PARAMS, body: REJECT_BODY, response: { 200: FACT_VIEW } })
  reject(
    @Req() request: FastifyRequest,
    @Param('project') project: string,
    @Param('factId') factId: string,
    @Body() body: { reason: string },
  ): Promise<FactView> {
    return this.memory.call('rejectFact', { factId, reason: body.reason }, identityOf(request, project));
  }
}
