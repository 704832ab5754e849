import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Req, UseGuards } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import type { ServiceClient } from '@evalvault/platform';
import type { CreateScheduleRequest, ScheduleOperations, ScheduleView } from '@evalvault/service-apis';
import { AccessGuard, Requires } from '../access/access.guard.js';
import { identityOf } from '../access/identity-of.js';
import { REGISTRY_CLIENT, type RegistryClient } from '../registry/index.js';
import {
  CREATE_SCHEDULE_BODY,
  PAUSE_BODY,
  PROJECT_PARAMS,
  SCHEDULE_LIST,
  SCHEDULE_PARAMS,
  SCHEDULE_VIEW,
} from './schedules.schemas.js';

/** The runs service's client, as the schedules' owner. */
export const SCHEDULES_CLIENT = Symbol('SCHEDULES_CLIENT');

/** /v1/projects/{project}/schedules: each route is one call to the runs service, which owns schedules. */
@Controller('v1/projects/:project/schedules')
@UseGuards(AccessGuard)
export class SchedulesController {
  constructor(
    @Inject(SCHEDULES_CLIENT) private readonly runs: ServiceClient<ScheduleOperations>,
    @Inject(REGISTRY_CLIENT) private readonly registry: RegistryClient | null,
  ) {}

  @Post()
  @HttpCode(201)
  @Requires('schedules.manage')
  @RouteSchema({ params: PROJECT_PARAMS, body: CREATE_SCHEDULE_BODY, response: { 201: SCHEDULE_VIEW } })
  async create(
    @Req() request: FastifyRequest,
    @Param('project') project: string,
    @Body() body: CreateScheduleRequest,
  ): Promise<ScheduleView> {
    const identity = identityOf(request, project);
    // The dataset (and version) must be the project's: another project's answers 404 before anything is created.
    const { id, version } = body.dataset;
    if (this.registry)
      await (version
        ? this.registry.call('getVersion', { kind: 'dataset', id, version }, identity)
        : this.registry.call('getResource', { kind: 'dataset', id }, identity));
    return this.runs.call('createSchedule', body, identity);
  }

  @Get()
  @Requires('schedules.read')
  @RouteSchema({ params: PROJECT_PARAMS, response: { 200: SCHEDULE_LIST } })
  list(@Req() request: FastifyRequest, @Param('project') project: string): Promise<{ items: ScheduleView[] }> {
    return this.runs.call('listSchedules', {}, identityOf(request, project));
  }

  @Get(':scheduleId')
  @Requires('schedules.read')
  @RouteSchema({ params: SCHEDULE_PARAMS, response: { 200: SCHEDULE_VIEW } })
  get(
    @Req() request: FastifyRequest,
    @Param('project') project: string,
    @Param('scheduleId') scheduleId: string,
  ): Promise<ScheduleView> {
    return this.runs.call('getSchedule', { scheduleId }, identityOf(request, project));
  }

  @Post(':scheduleId/pause')
  @HttpCode(200)
  @Requires('schedules.manage')
  @RouteSchema({ params: SCHEDULE_PARAMS, body: PAUSE_BODY, response: { 200: SCHEDULE_VIEW } })
  pause(
    @Req() request: FastifyRequest,
    @Param('project') project: string,
    @Param('scheduleId') scheduleId: string,
    @Body() body: { reason?: string | null } | undefined,
  ): Promise<ScheduleView> {
    return this.runs.call('pauseSchedule', { scheduleId, reason: body?.reason ?? null }, identityOf(request, project));
  }

  @Post(':scheduleId/resume')
  @HttpCode(200)
  @Requires('schedules.manage')
  @RouteSchema({ params: SCHEDULE_PARAMS, response: { 200: SCHEDULE_VIEW } })
  resume(
    @Req() request: FastifyRequest,
    @Param('project') project: string,
    @Param('scheduleId') scheduleId: string,
  ): Promise<ScheduleView> {
    return this.runs.call('resumeSchedule', { scheduleId }, identityOf(request, project));
  }

  @Delete(':scheduleId')
  @Requires('schedules.manage')
  @RouteSchema({ params: SCHEDULE_PARAMS })
  delete(
    @Req() request: FastifyRequest,
    @Param('project') project: string,
    @Param('scheduleId') scheduleId: string,
  ): Promise<{ scheduleId: string; deleted: true }> {
    return this.runs.call('deleteSchedule', { scheduleId }, identityOf(request, project));
  }
}
