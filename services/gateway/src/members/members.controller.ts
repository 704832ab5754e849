import { Body, Controller, Delete, Get, Inject, Param, Post, Req, UseGuards } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Role } from '../auth/principal.js';
import { ID_SCHEMA, PROJECT_PARAMS } from '../http/common-schemas.js';
import { AccessGuard, Requires } from '../access/access.guard.js';
import type { MembersService, MemberView } from './members.service.js';
import { UNRESERVED_SUBJECT_PATTERN } from '../auth/reserved-subjects.js';

export const MEMBERS = Symbol('MEMBERS');

/** An OIDC `sub`: issuers use e-mails, UUIDs, `auth0|…`; anything printable up to 256 characters. */
const SUBJECT_SCHEMA = {
  type: 'string',
  minLength: 1,
  maxLength: 256,
  pattern: '^[^\\u0000-\\u001f\\u007f]+$',
} as const;
/** A subject that may be granted a role: not one of the platform's own actors (api-key:, system:). */
const GRANTABLE_SUBJECT_SCHEMA = { ...SUBJECT_SCHEMA, pattern: UNRESERVED_SUBJECT_PATTERN } as const;
const MEMBER_PARAMS = {
  type: 'object',
  required: ['project', 'subject'],
  properties: { project: ID_SCHEMA, subject: SUBJECT_SCHEMA },
} as const;
const GRANT_BODY = {
  type: 'object',
  required: ['subject', 'role'],
  properties: {
    subject: GRANTABLE_SUBJECT_SCHEMA,
    role: { type: 'string', enum: ['viewer', 'editor', 'approver', 'admin'] },
  },
} as const;

/**
 * /v1/projects/{project}/members: admins grant OIDC subjects a project role (one per subject;
 * granting again replaces it), list and remove members. Roles granted here add to those the
 * issuer's token claims carry.
 */
@Controller('v1/projects/:project/members')
@UseGuards(AccessGuard)
export class MembersController {
  constructor(@Inject(MEMBERS) private readonly members: MembersService) {}

  @Post()
  @Requires('access.members.manage')
  @RouteSchema({ params: PROJECT_PARAMS, body: GRANT_BODY })
  grant(
    @Req() request: FastifyRequest,
    @Param('project') project: string,
    @Body() body: { subject: string; role: Role },
  ): Promise<MemberView> {
    return this.members.grant(request.principal!, project, body.subject, body.role, randomUUID());
  }

  @Get()
  @Requires('access.read')
  @RouteSchema({ params: PROJECT_PARAMS })
  async list(@Req() request: FastifyRequest, @Param('project') project: string): Promise<{ items: MemberView[] }> {
    return { items: await this.members.list(request.principal!, project) };
  }

  @Delete(':subject')
  @Requires('access.members.manage')
  @RouteSchema({ params: MEMBER_PARAMS })
  revoke(
    @Req() request: FastifyRequest,
    @Param('project') project: string,
    @Param('subject') subject: string,
  ): Promise<{ subject: string; revoked: true }> {
    return this.members.revoke(request.principal!, project, subject, randomUUID());
  }
}
