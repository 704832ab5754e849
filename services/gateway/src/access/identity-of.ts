import type { FastifyRequest } from 'fastify';
import type { InternalIdentity } from '@evalvault/platform';

/** The identity an owning service acts for: this caller, in this project, with its roles there. */
export function identityOf(request: FastifyRequest, project: string): InternalIdentity {
  const principal = request.principal!;
  return {
    tenantId: principal.tenantId,
    projectId: project,
    roles: Object.hasOwn(principal.projectRoles, project) ? principal.projectRoles[project]! : [],
    actor: actorOf(request),
  };
}

/** For tenant-wide actions (the auditor's): no project, the tenant roles. */
export function tenantIdentityOf(request: FastifyRequest): InternalIdentity {
  const principal = request.principal!;
  return { tenantId: principal.tenantId, projectId: null, roles: [...principal.tenantRoles], actor: actorOf(request) };
}

function actorOf(request: FastifyRequest): InternalIdentity['actor'] {
  const { subject, authMethod, apiKeyId } = request.principal!;
  return { subject, authMethod, apiKeyId };
}
