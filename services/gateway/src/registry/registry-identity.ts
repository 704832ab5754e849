import type { FastifyRequest } from 'fastify';
import type { InternalIdentity } from '@evalvault/platform';

export const REGISTRY_CLIENT = Symbol('REGISTRY_CLIENT');

/** The identity the registry acts for: this caller, in this project. */
export function identityOf(request: FastifyRequest, project: string): InternalIdentity {
  const principal = request.principal!;
  return {
    tenantId: principal.tenantId, projectId: project, roles: principal.projectRoles[project] ?? [],
    actor: { subject: principal.subject, authMethod: principal.authMethod, apiKeyId: principal.apiKeyId },
  };
}
