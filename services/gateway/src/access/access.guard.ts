import { SetMetadata, type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AuthError } from '../auth/auth.errors.js';
import { isPublicRoute } from './public-routes.js';
import { ACTIONS, isAllowed, TENANT_ADMIN_ACTIONS, TENANT_ADMIN_PROJECT, type Action } from './role-matrix.js';

const ACTION = Symbol('evalvault:action');

/** The one action a route performs; the guard refuses routes that name none. */
export const Requires = (action: Action): MethodDecorator => SetMetadata(ACTION, action);

/**
 * One guard on every non-public route: the authenticated principal must hold, in the project of
 * the path (in the tenant for audit actions; in the tenant's administrative project for granting
 * tenant roles), a role the role matrix allows.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (isPublicRoute(request.routeOptions.url)) return true;
    const action = this.reflector.get<Action | undefined>(ACTION, context.getHandler());
    if (!action) throw AuthError.forbidden(`route ${request.method} ${request.routeOptions.url} declares no action`);
    authorize(request, action);
    return true;
  }
}

/**
 * The access check itself, shared by the guard and the routes served without Nest (runs.routes.ts): the
 * authenticated principal must hold, in the project of the path (in the tenant for audit actions; in the
 * tenant's administrative project for granting tenant roles), a role the role matrix allows for `action`.
 */
export function authorize(request: FastifyRequest, action: Action): void {
  const principal = request.principal;
  if (!principal) throw AuthError.unauthenticated('missing Authorization: Bearer …');
  const params = request.params as Record<string, string> | undefined;
  const project = TENANT_ADMIN_ACTIONS.has(action) ? TENANT_ADMIN_PROJECT : params?.['project'];
  // Own keys only: a project named `toString` or `__proto__` must not find Object.prototype's members.
  const projectRoles =
    project && Object.hasOwn(principal.projectRoles, project) ? principal.projectRoles[project]! : [];
  if (!isAllowed(action, projectRoles, principal.tenantRoles)) {
    throw AuthError.forbidden(
      `${action} needs a role you do not hold${project ? ` in project ${project}` : ''}`,
      ACTIONS[action],
    );
  }
}
