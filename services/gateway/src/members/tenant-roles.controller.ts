import { Body, Controller, Delete, Get, Inject, Param, Post, Req, UseGuards } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { TENANT_ROLES, type TenantRole } from '../auth/principal.js';
import { UNRESERVED_SUBJECT_PATTERN } from '../auth/reserved-subjects.js';
import { AccessGuard, Requires } from '../access/access.guard.js';
import { MEMBERS } from './members.controller.js';
import type { MembersService, TenantMemberView } from './members.service.js';

const ROLE_SCHEMA = { type: 'string', enum: [...TENANT_ROLES] } as const;
const SUBJECT_SCHEMA = {
  type: 'string',
  minLength: 1,
  maxLength: 256,
  pattern: '^[^\\u0000-\\u001f\\u007f]+$',
} as const;
const GRANT_BODY = {
  type: 'object',
  required: ['subject', 'role'],
  properties: { subject: { ...SUBJECT_SCHEMA, pattern: UNRESERVED_SUBJECT_PATTERN }, role: ROLE_SCHEMA },
  additionalProperties: false,
} as const;
const GRANT_PARAMS = {
  type: 'object',
  required: ['role', 'subject'],
  properties: { role: ROLE_SCHEMA, subject: SUBJECT_SCHEMA },
} as const;

/**
 * /v1/tenant-roles: the tenant roles of the audit log (`auditor` reads it, `audit-admin` also
 * changes its retention and forgets subjects) granted to OIDC subjects, explicitly and by name.
 * Managed by the admins of the tenant's project `default` (the bootstrap key's), never to
 * themselves; each grant and revocation is a ProjectRoleGranted/Revoked event of project `*`.
 * Roles granted here add to those a token's `$tenant` claim carries; API keys get theirs when
 * issued (`tenantRoles`).
 */
@Controller('v1/tenant-roles')
@UseGuards(AccessGuard)
export class TenantRolesController {
  constructor(@Inject(MEMBERS) private readonly members: MembersService) {}

  @Post()
  @Requires('access.tenant-roles.manage')
  @RouteSchema({ body: GRANT_BODY })
  grant(
    @Req() request: FastifyRequest,
    @Body() body: { subject: string; role: TenantRole },
  ): Promise<TenantMemberView> {
    return this.members.grantTenantRole(request.principal!, body.subject, body.role, randomUUID());
  }

  @Get()
  @Requires('access.tenant-roles.manage')
  async list(@Req() request: FastifyRequest): Promise<{ items: TenantMemberView[] }> {
    return { items: await this.members.listTenantRoles(request.principal!) };
  }

  @Delete(':role/:subject')
  @Requires('access.tenant-roles.manage')
  @RouteSchema({ params: GRANT_PARAMS })
  revoke(
    @Req() request: FastifyRequest,
    @Param('role') role: TenantRole,
    @Param('subject') subject: string,
  ): Promise<{ subject: string; role: TenantRole; revoked: true }> {
    return this.members.revokeTenantRole(request.principal!, subject, role, randomUUID());
  }
}
