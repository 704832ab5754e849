import { identityOf } from '../access/identity-of.js';
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import type { ServiceClient } from '@evalvault/platform';
import type {
  CreateExportRequest,
  ExportView,
  CreateRouteRequest,
  ListNotificationsQuery,
  NotificationsOperations,
  NotificationsPage,
  RouteView,
} from '@evalvault/service-apis';
import { AccessGuard, Requires } from '../access/access.guard.js';
import {
  CREATE_ROUTE_BODY,
  NOTIFICATIONS_PAGE,
  NOTIFICATIONS_QUERY,
  PROJECT_PARAMS,
  ROUTE_LIST,
  ROUTE_PARAMS,
  ROUTE_VIEW,
} from './notifications.schemas.js';
import { CREATE_EXPORT_BODY, EXPORT_LIST, EXPORT_PARAMS, EXPORT_VIEW } from './exports.schemas.js';

export const NOTIFICATIONS_CLIENT = Symbol('NOTIFICATIONS_CLIENT');

/**
 * /v1/projects/{project}/notification-routes, …/exports (tracker exports) and …/notifications (the delivery log
 * of both): each route is one call to the notifier.
 */
@Controller('v1/projects/:project')
@UseGuards(AccessGuard)
export class NotificationsController {
  constructor(@Inject(NOTIFICATIONS_CLIENT) private readonly notifier: ServiceClient<NotificationsOperations>) {}

  @Post('notification-routes')
  @HttpCode(201)
  @Requires('notifications.manage')
  @RouteSchema({ params: PROJECT_PARAMS, body: CREATE_ROUTE_BODY, response: { 201: ROUTE_VIEW } })
  create(
    @Req() request: FastifyRequest,
    @Param('project') project: string,
    @Body() body: CreateRouteRequest,
  ): Promise<RouteView> {
    return this.notifier.call('createRoute', body, identityOf(request, project));
  }

  @Get('notification-routes')
  @Requires('notifications.read')
  @RouteSchema({ params: PROJECT_PARAMS, response: { 200: ROUTE_LIST } })
  list(@Req() request: FastifyRequest, @Param('project') project: string): Promise<{ items: RouteView[] }> {
    return this.notifier.call('listRoutes', {}, identityOf(request, project));
  }

  @Get('notification-routes/:routeId')
  @Requires('notifications.read')
  @RouteSchema({ params: ROUTE_PARAMS, response: { 200: ROUTE_VIEW } })
  get(
    @Req() request: FastifyRequest,
    @Param('project') project: string,
    @Param('routeId') routeId: string,
  ): Promise<RouteView> {
    return this.notifier.call('getRoute', { routeId }, identityOf(request, project));
  }

  @Delete('notification-routes/:routeId')
  @Requires('notifications.manage')
  @RouteSchema({ params: ROUTE_PARAMS, response: { 200: ROUTE_VIEW } })
  remove(
    @Req() request: FastifyRequest,
    @Param('project') project: string,
    @Param('routeId') routeId: string,
  ): Promise<RouteView> {
    return this.notifier.call('deleteRoute', { routeId }, identityOf(request, project));
  }

  @Get('notifications')
  @Requires('notifications.read')
  @RouteSchema({ params: PROJECT_PARAMS, querystring: NOTIFICATIONS_QUERY, response: { 200: NOTIFICATIONS_PAGE } })
  deliveries(
    @Req() request: FastifyRequest,
    @Param('project') project: string,
    @Query() query: ListNotificationsQuery,
  ): Promise<NotificationsPage> {
    return this.notifier.call('listNotifications', query, identityOf(request, project));
  }

  @Post('exports')
  @HttpCode(201)
  @Requires('exports.manage')
  @RouteSchema({ params: PROJECT_PARAMS, body: CREATE_EXPORT_BODY, response: { 201: EXPORT_VIEW } })
  createExport(
    @Req() request: FastifyRequest,
    @Param('project') project: string,
    @Body() body: CreateExportRequest,
  ): Promise<ExportView> {
    return this.notifier.call('createExport', body, identityOf(request, project));
  }

  @Get('exports')
  @Requires('exports.read')
  @RouteSchema({ params: PROJECT_PARAMS, response: { 200: EXPORT_LIST } })
  listExports(@Req() request: FastifyRequest, @Param('project') project: string): Promise<{ items: ExportView[] }> {
    return this.notifier.call('listExports', {}, identityOf(request, project));
  }

  @Delete('exports/:exportId')
  @Requires('exports.manage')
  @RouteSchema({ params: EXPORT_PARAMS, response: { 200: EXPORT_VIEW } })
  removeExport(
    @Req() request: FastifyRequest,
    @Param('project') project: string,
    @Param('exportId') exportId: string,
  ): Promise<ExportView> {
    return this.notifier.call('deleteExport', { exportId }, identityOf(request, project));
  }
}
