import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Req, UseGuards } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { TENANT_ROLES, type Role, type TenantRole } from '../auth/principal.js';
import { ID_SCHEMA, PROJECT_PARAMS } from '../http/common-schemas.js';
import { SecretBearing } from '../http/idempotency/secret-bearing.js';
import { AccessGuard, Requires } from './access.guard.js';
import type { ApiKeysService, ApiKeyView } from './api-keys.service.js';

export const API_KEYS = Symbol('API_KEYS');

const KEY = {
  type: 'object',
  required: ['project', 'keyId'],
  properties: { project: ID_SCHEMA, keyId: { type: 'string', pattern: '^[0-9a-f]{12}$' } },
} as const;
const ISSUE_BODY = {
  type: 'object',
  required: ['name', 'role'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    role: { type: 'string', enum: ['viewer', 'editor', 'approver', 'admin'] },
    expiresAt: { type: ['string', 'null'], format: 'date-time' },
    tenantRoles: {
      type: 'array',
      items: { type: 'string', enum: [...TENANT_ROLES] },
      uniqueItems: true,
      description:
        "Tenant roles the key also holds (the audit log's): " +
        'only on keys of project default, issued by its admins.',
    },
  },
} as const;

/**
 * /v1/projects/{project}/api-keys: admins issue (the key is shown once), list and revoke keys.
 * A key of project `default` may also be given tenant roles (`auditor`, `audit-admin`) by its admins.
 */
@Controller('v1/projects/:project/api-keys')
@UseGuards(AccessGuard)
export class ApiKeysController {
  constructor(@Inject(API_KEYS) private readonly keys: ApiKeysService) {}

  @Post()
  @HttpCode(201)
  @SecretBearing()
  @Requires('access.keys.manage')
  @RouteSchema({ params: PROJECT_PARAMS, body: ISSUE_BODY })
  issue(
    @Req() request: FastifyRequest,
    @Param('project') project: string,
    @Body() body: { name: string; role: Role; expiresAt?: string | null; tenantRoles?: TenantRole[] },
  ): Promise<ApiKeyView & { key: string }> {
    return this.keys.issue(
      request.principal!,
      project,
      { name: body.name, role: body.role, expiresAt: body.expiresAt ?? null, tenantRoles: body.tenantRoles ?? [] },
      randomUUID(),
    );
  }

  @Get()
  @Requires('access.read')
  @RouteSchema({ params: PROJECT_PARAMS })
  async list(@Req() request: FastifyRequest, @Param('project') project: string): Promise<{ items: ApiKeyView[] }> {
    return { items: await this.keys.list(request.principal!, project) };
  }

  @Delete(':keyId')
  @Requires('access.keys.manage')
  @RouteSchema({ params: KEY })
  revoke(
    @Req() request: FastifyRequest,
    @Param('project') project: string,
    @Param('keyId') keyId: string,
  ): Promise<ApiKeyView> {
    return this.keys.revoke(request.principal!, project, keyId, randomUUID());
  }
}
