import { Body, Controller, Get, Inject, Param, Put, Req, UseGuards } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import type { ProjectPolicyView, SetProjectPolicyRequest } from '@evalvault/service-apis';
import { AccessGuard, Requires } from '../access/access.guard.js';
import { identityOf, REGISTRY_CLIENT } from './registry-identity.js';
import type { RegistryClient } from './registry-client.js';
import { POLICY_VIEW, PROJECT_PARAMS, SET_POLICY_BODY } from './project-policy.schemas.js';

/** /v1/projects/{project}/policy: the project's policy, kept by the registry; each route is one registry call. */
@Controller('v1/projects/:project/policy')
@UseGuards(AccessGuard)
export class ProjectPolicyController {
  constructor(@Inject(REGISTRY_CLIENT) private readonly registry: RegistryClient) {}

  @Get()
  @Requires('policy.read')
  @RouteSchema({ params: PROJECT_PARAMS, response: { 200: POLICY_VIEW } })
  get(@Req() request: FastifyRequest, @Param('project') project: string): Promise<ProjectPolicyView> {
    return this.registry.call('getProjectPolicy', {}, identityOf(request, project));
  }

  @Put()
  @Requires('policy.manage')
  @RouteSchema({ params: PROJECT_PARAMS, body: SET_POLICY_BODY, response: { 200: POLICY_VIEW } })
  set(
    @Req() request: FastifyRequest,
    @Param('project') project: string,
    @Body() body: SetProjectPolicyRequest,
  ): Promise<ProjectPolicyView> {
    return this.registry.call('setProjectPolicy', body, identityOf(request, project));
  }
}
