import { Controller, Get, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AccessGuard, Requires } from './access.guard.js';
import { ACTIONS, isAllowed, type Action } from './role-matrix.js';

export interface MeView {
  tenantId: string;
  subject: string;
  authMethod: 'oidc' | 'api_key';
  tenantRoles: string[];
  /** Per project the caller holds a role in: its roles and what the role matrix allows it there. */
  projects: Record<string, { roles: string[]; actions: Action[] }>;
  /** Tenant-wide actions (the audit log's). */
  tenantActions: Action[];
}

const ALL_ACTIONS = Object.keys(ACTIONS) as Action[];
const isTenantAction = (action: Action): boolean => ACTIONS[action] === 'auditor' || ACTIONS[action] === 'audit-admin';

/** GET /v1/me: who the credential is and what it may do, so a client (the console) shows only what is allowed. */
@Controller('v1/me')
@UseGuards(AccessGuard)
export class MeController {
  @Get()
  @Requires('identity.read')
  me(@Req() request: FastifyRequest): MeView {
    const principal = request.principal!;
    const projects: MeView['projects'] = {};
    for (const [project, roles] of Object.entries(principal.projectRoles)) {
      if (roles.length === 0) continue;
      const actions = ALL_ACTIONS.filter((action) => !isTenantAction(action) && isAllowed(action, roles, []));
      projects[project] = { roles: [...roles], actions };
    }
    return {
      tenantId: principal.tenantId,
      subject: principal.subject,
      authMethod: principal.authMethod,
      tenantRoles: [...principal.tenantRoles],
      projects,
      tenantActions: ALL_ACTIONS.filter((a) => isTenantAction(a) && isAllowed(a, [], principal.tenantRoles)),
    };
  }
}
