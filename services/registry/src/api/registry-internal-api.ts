import type { CommandContext, InternalIdentity, OperationHandlers, Scope } from '@evalvault/platform';
import { ServiceClientError, ServiceClientErrorCode } from '@evalvault/platform';
import { REGISTRY_KINDS, type RegistryOperations } from '@evalvault/service-apis';
import type { RegistryCommands } from '../resource/registry.commands.js';
import { isResourceKind, type ResourceKind } from '../resource/resource-kind.js';
import type { RegistryQueries } from '../projection/registry.queries.js';
import type { ProjectPolicies } from '../policy/project-policies.js';
import { RunPinning } from '../pinning/run-pinning.js';
import { translated } from './registry-errors.js';

export function scopeOf(identity: InternalIdentity): Scope {
  if (!identity.projectId)
    throw new ServiceClientError(
      ServiceClientErrorCode.InvalidInput,
      'registry resources belong to a project: the identity names none',
    );
  return { tenantId: identity.tenantId, projectId: identity.projectId };
}

export function commandContextOf(identity: InternalIdentity, newId: () => string): CommandContext {
  return { ...scopeOf(identity), actor: identity.actor, correlationId: newId(), causationId: null };
}

function kindOf(kind: unknown): ResourceKind {
  if (!isResourceKind(kind))
    throw new ServiceClientError(ServiceClientErrorCode.InvalidInput, `kind: one of ${REGISTRY_KINDS.join(', ')}`);
  return kind;
}

/** Approving and rejecting are the approver's call; the gateway checks it too, the owner does not take it on trust. */
function requireApprover(identity: InternalIdentity, doing: 'approving' | 'rejecting'): void {
  if (!identity.roles.some((role) => role === 'approver' || role === 'admin')) {
    throw new ServiceClientError(
      ServiceClientErrorCode.Forbidden,
      `${doing} a registry version needs the approver role`,
    );
  }
}

/** A project's policy is its admins' to set; the gateway checks it too, the owner does not take it on trust. */
function requireAdmin(identity: InternalIdentity): void {
  if (!identity.roles.includes('admin'))
    throw new ServiceClientError(ServiceClientErrorCode.Forbidden, "setting a project's policy needs the admin role");
}

/** The registry's JSON operations behind the service client port; thin: one call each. */
export function registryOperationHandlers(
  commands: RegistryCommands,
  queries: RegistryQueries,
  newId: () => string,
  policies: ProjectPolicies,
): OperationHandlers<RegistryOperations> {
  const pinning = new RunPinning(queries, policies);
  return {
    registerPrompt: (input, identity) =>
      translated(() => commands.registerPrompt(input, commandContextOf(identity, newId))),
    registerModelProfile: (input, identity) =>
      translated(() => commands.registerModelProfile(input, commandContextOf(identity, newId))),
    listResources: ({ kind, ...page }, identity) =>
      translated(() => queries.listResources(scopeOf(identity), kindOf(kind), page)),
    getResource: ({ kind, id }, identity) => translated(() => queries.getResource(scopeOf(identity), kindOf(kind), id)),
    listVersions: ({ kind, id, ...page }, identity) =>
      translated(() => queries.listVersions(scopeOf(identity), kindOf(kind), id, page)),
    getVersion: ({ kind, id, version }, identity) =>
      translated(() => queries.getVersion(scopeOf(identity), kindOf(kind), id, version)),
    getDatasetCases: ({ id, version, ...page }, identity) =>
      translated(() => queries.datasetCases(scopeOf(identity), id, version, page)),
    approveVersion: ({ kind, id, version, comment }, identity) =>
      translated(async () => {
        requireApprover(identity, 'approving');
        await commands.approveVersion(kindOf(kind), id, version, comment ?? null, commandContextOf(identity, newId));
        return queries.getVersion(scopeOf(identity), kindOf(kind), id, version);
      }),
    rejectVersion: ({ kind, id, version, reason }, identity) =>
      translated(async () => {
        requireApprover(identity, 'rejecting');
        await commands.rejectVersion(kindOf(kind), id, version, reason, commandContextOf(identity, newId));
        return queries.getVersion(scopeOf(identity), kindOf(kind), id, version);
      }),
    pinRunVersions: (input, identity) => translated(() => pinning.pin(scopeOf(identity), input)),
    getProjectPolicy: (_input, identity) => translated(() => policies.view(scopeOf(identity))),
    setProjectPolicy: (input, identity) =>
      translated(async () => {
        requireAdmin(identity);
        return policies.set(input, commandContextOf(identity, newId));
      }),
  };
}
