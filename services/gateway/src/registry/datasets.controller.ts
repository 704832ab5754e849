import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { RouteConfig, RouteSchema } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DatasetCase, Page, RegisteredVersion, RegistryPageQuery } from '@evalvault/service-apis';
import { AccessGuard, Requires } from '../access/access.guard.js';
import { EdgeError } from '../http/index.js';
import { NDJSON_UPLOAD_CONFIG, STREAMED_BODY, streamedBodyOf } from './dataset-uploads.js';
import { statusFor } from './registry-definitions.controller.js';
import { identityOf, REGISTRY_CLIENT } from './registry-identity.js';
import type { RegistryClient } from './registry-client.js';
import {
  CASES_PAGE,
  CASES_QUERY,
  DATASET_JSON_BODY_LIMIT,
  PROJECT_PARAMS,
  REGISTERED_VERSION,
  REGISTER_DATASET_BODY,
  REGISTER_DATASET_QUERY,
  VERSION_PARAMS,
} from './registry.schemas.js';

type JsonRegistration = { name: string; description?: string; cases: unknown[] };

/**
 * Registering datasets — the cases in a JSON body, or streamed as application/x-ndjson (name in
 * the query) in constant memory — and reading a version's cases page by page. Either way the
 * registry receives a stream of lines, validates and stores them; one path, one outcome.
 */
@Controller('v1/projects/:project/datasets')
@UseGuards(AccessGuard)
export class DatasetsController {
  constructor(@Inject(REGISTRY_CLIENT) private readonly registry: RegistryClient) {}

  @Post()
  @Requires('registry.register')
  @RouteConfig({ ...NDJSON_UPLOAD_CONFIG, bodyLimit: DATASET_JSON_BODY_LIMIT })
  @RouteSchema({
    params: PROJECT_PARAMS,
    querystring: REGISTER_DATASET_QUERY,
    body: REGISTER_DATASET_BODY,
    response: { 200: REGISTERED_VERSION, 201: REGISTERED_VERSION },
  })
  async register(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param('project') project: string,
    @Body() body: JsonRegistration | typeof STREAMED_BODY,
    @Query() query: { name?: string; description?: string },
  ): Promise<RegisteredVersion> {
    const identity = identityOf(request, project);
    try {
      const stream = body === STREAMED_BODY ? streamedBodyOf(request) : undefined;
      if (stream) {
        if (!query.name) throw new EdgeError('INVALID_INPUT', 'a streamed dataset names itself in the query: ?name=…');
        return statusFor(
          await this.registry.uploadDataset(
            { name: query.name, description: query.description ?? null, source: 'jsonl' },
            stream,
            identity,
          ),
          reply,
        );
      }
      const { name, description, cases } = body as JsonRegistration;
      const lines = (function* () {
        for (const item of cases) yield `${JSON.stringify(item)}\n`;
      })();
      return statusFor(
        await this.registry.uploadDataset(
          { name, description: description ?? null, source: 'json' },
          toAsync(lines),
          identity,
        ),
        reply,
      );
    } catch (error) {
      // Refused before the whole upload arrived: the connection cannot carry another request after it.
      if (!request.raw.complete) void reply.header('connection', 'close');
      throw error;
    }
  }

  @Get(':datasetId/versions/:version/cases')
  @Requires('registry.read')
  @RouteSchema({ params: VERSION_PARAMS.dataset, querystring: CASES_QUERY, response: { 200: CASES_PAGE } })
  cases(
    @Req() request: FastifyRequest,
    @Param('project') project: string,
    @Param('datasetId') id: string,
    @Param('version') version: number,
    @Query() query: RegistryPageQuery,
  ): Promise<Page<DatasetCase>> {
    return this.registry.call('getDatasetCases', { id, version, ...query }, identityOf(request, project));
  }
}

async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}
