import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, UseGuards, type Type } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import type {
  Page,
  RegistryKind,
  RegistryPageQuery,
  ResourceSummary,
  VersionSummary,
  VersionView,
} from '@evalvault/service-apis';
import { AccessGuard, Requires } from '../access/access.guard.js';
import { identityOf, REGISTRY_CLIENT } from './registry-identity.js';
import type { RegistryClient } from './registry-client.js';
import {
  APPROVE_BODY,
  ID_PARAMS,
  PAGE_QUERY,
  PROJECT_PARAMS,
  REJECT_BODY,
  RESOURCE_PAGE,
  RESOURCE_SUMMARY,
  VERSION_PAGE,
  VERSION_PARAMS,
  VERSION_VIEW,
} from './registry.schemas.js';

/**
 * Where each kind lives under /v1/projects/{project}, and the name of its id in paths (the audit names
 * denials after it).
 */
export const KIND_PATHS: Record<RegistryKind, { path: string; idParam: string; controller: string }> = {
  dataset: { path: 'datasets', idParam: 'datasetId', controller: 'DatasetVersionsController' },
  prompt: { path: 'prompts', idParam: 'promptId', controller: 'PromptVersionsController' },
  model_profile: { path: 'model-profiles', idParam: 'modelProfileId', controller: 'ModelProfileVersionsController' },
};

/**
 * The routes every kind shares — list, get, versions, one version (with lineage), approve, reject — as one
 * controller per kind, so each has its own documented paths. Each route is one registry call.
 */
export function registryResourceController(kind: RegistryKind): Type {
  const { path, idParam } = KIND_PATHS[kind];

  @Controller(`v1/projects/:project/${path}`)
  @UseGuards(AccessGuard)
  class ResourceController {
    constructor(@Inject(REGISTRY_CLIENT) private readonly registry: RegistryClient) {}

    @Get()
    @Requires('registry.read')
    @RouteSchema({ params: PROJECT_PARAMS, querystring: PAGE_QUERY, response: { 200: RESOURCE_PAGE } })
    list(
      @Req() request: FastifyRequest,
      @Param('project') project: string,
      @Query() query: RegistryPageQuery,
    ): Promise<Page<ResourceSummary>> {
      return this.registry.call('listResources', { kind, ...query }, identityOf(request, project));
    }

    @Get(`:${idParam}`)
    @Requires('registry.read')
    @RouteSchema({ params: ID_PARAMS[kind], response: { 200: RESOURCE_SUMMARY } })
    get(
      @Req() request: FastifyRequest,
      @Param('project') project: string,
      @Param(idParam) id: string,
    ): Promise<ResourceSummary> {
      return this.registry.call('getResource', { kind, id }, identityOf(request, project));
    }

    @Get(`:${idParam}/versions`)
    @Requires('registry.read')
    @RouteSchema({ params: ID_PARAMS[kind], querystring: PAGE_QUERY, response: { 200: VERSION_PAGE } })
    versions(
      @Req() request: FastifyRequest,
      @Param('project') project: string,
      @Param(idParam) id: string,
      @Query() query: RegistryPageQuery,
    ): Promise<Page<VersionSummary>> {
      return this.registry.call('listVersions', { kind, id, ...query }, identityOf(request, project));
    }

    @Get(`:${idParam}/versions/:version`)
    @Requires('registry.read')
    @RouteSchema({ params: VERSION_PARAMS[kind], response: { 200: VERSION_VIEW } })
    version(
      @Req() request: FastifyRequest,
      @Param('project') project: string,
      @Param(idParam) id: string,
      @Param('version') version: number,
    ): Promise<VersionView> {
      return this.registry.call('getVersion', { kind, id, version }, identityOf(request, project));
    }

    @Post(`:${idParam}/versions/:version/approve`)
    @HttpCode(200)
    @Requires('registry.approve')
    @RouteSchema({ params: VERSION_PARAMS[kind], body: APPROVE_BODY, response: { 200: VERSION_VIEW } })
    approve(
      @Req() request: FastifyRequest,
      @Param('project') project: string,
      @Param(idParam) id: string,
      @Param('version') version: number,
      @Body() body: { comment?: string } | undefined,
    ): Promise<VersionView> {
      return this.registry.call(
        'approveVersion',
        { kind, id, version, comment: body?.comment ?? null },
        identityOf(request, project),
      );
    }

    @Post(`:${idParam}/versions/:version/reject`)
    @HttpCode(200)
    @Requires('registry.reject')
    @RouteSchema({ params: VERSION_PARAMS[kind], body: REJECT_BODY, response: { 200: VERSION_VIEW } })
    reject(
      @Req() request: FastifyRequest,
      @Param('project') project: string,
      @Param(idParam) id: string,
      @Param('version') version: number,
      @Body() body: { reason: string },
    ): Promise<VersionView> {
      return this.registry.call(
        'rejectVersion',
        { kind, id, version, reason: body.reason },
        identityOf(request, project),
      );
    }
  }

  Object.defineProperty(ResourceController, 'name', { value: KIND_PATHS[kind].controller });
  return ResourceController;
}
