import {
  ServiceClientError,
  ServiceClientErrorCode,
  type CommandContext,
  type InternalIdentity,
  type OperationHandlers,
  type Scope,
} from '@evalvault/platform';
import type { MemoryOperations } from '@evalvault/service-apis';
import type { MemoryCommands } from '../commands/memory-commands.port.js';
import type { MemoryQueries } from '../projection/memory.queries.js';
import { translated } from './memory-errors.js';

export function scopeOf(identity: InternalIdentity): Scope {
  if (!identity.projectId)
    throw new ServiceClientError(
      ServiceClientErrorCode.InvalidInput,
      'memory belongs to a project: the identity names none',
    );
  return { tenantId: identity.tenantId, projectId: identity.projectId };
}

export function commandContextOf(identity: InternalIdentity, newId: () => string): CommandContext {
  return { ...scopeOf(identity), actor: identity.actor, correlationId: newId(), causationId: null };
}

/** The gateway checks roles too; the owner does not take them on trust. */
function requireRole(identity: InternalIdentity, roles: readonly string[], what: string): void {
  if (!identity.roles.some((role) => roles.includes(role)))
    throw new ServiceClientError(ServiceClientErrorCode.Forbidden, `${what} needs the ${roles[0]} role`);
}
const APPROVERS = ['approver', 'admin'];
const ADMINS = ['admin'];

/** Input must be a JSON object; the rest of its checking is the commands' and queries'. */
function objectInput<T>(input: T): T {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new ServiceClientError(ServiceClientErrorCode.InvalidInput, 'the input must be a JSON object');
  return input;
}

/** Domain Memory's JSON operations behind the service client port; thin: one call each. */
export function memoryOperationHandlers(
  commands: MemoryCommands,
  queries: MemoryQueries,
  newId: () => string,
): OperationHandlers<MemoryOperations> {
  const policyOf = async (scope: Scope) => (await commands.policy(scope)).policy;
  return {
    searchFacts: (input, identity) =>
      translated(async () =>
        queries.searchFacts(scopeOf(identity), objectInput(input), await policyOf(scopeOf(identity))),
      ),
    getFact: (input, identity) => translated(() => queries.getFact(scopeOf(identity), objectInput(input).factId)),
    verifyFact: (input, identity) =>
      translated(async () => {
        requireRole(identity, APPROVERS, 'verifying a fact');
        const { factId, reason } = objectInput(input);
        await commands.verifyFact(factId, reason ?? null, commandContextOf(identity, newId));
        return queries.getFact(scopeOf(identity), factId);
      }),
    rejectFact: (input, identity) =>
      translated(async () => {
        requireRole(identity, APPROVERS, 'rejecting a fact');
        const { factId, reason } = objectInput(input);
        await commands.rejectFact(factId, reason, commandContextOf(identity, newId));
        return queries.getFact(scopeOf(identity), factId);
      }),
    searchBehaviours: (input, identity) =>
      translated(async () =>
        queries.searchBehaviours(scopeOf(identity), objectInput(input), await policyOf(scopeOf(identity))),
      ),
    getBehaviour: (input, identity) =>
      translated(() => queries.getBehaviour(scopeOf(identity), objectInput(input).behaviourId)),
    listLearnings: (input, identity) => translated(() => queries.listLearnings(scopeOf(identity), objectInput(input))),
    requestDeletion: (input, identity) =>
      translated(async () => {
        requireRole(identity, ADMINS, 'a deletion request');
        return commands.requestDeletion(objectInput(input), commandContextOf(identity, newId));
      }),
    listDeletions: (input, identity) =>
      translated(async () => {
        requireRole(identity, ADMINS, 'listing deletion requests');
        return queries.listDeletions(scopeOf(identity), objectInput(input));
      }),
    getMemoryPolicy: (_input, identity) => translated(() => commands.policy(scopeOf(identity))),
    setMemoryPolicy: (input, identity) =>
      translated(async () => {
        requireRole(identity, ADMINS, "setting a project's memory policy");
        return commands.setPolicy(objectInput(input), commandContextOf(identity, newId));
      }),
    exportMemory: (_input, identity) => translated(() => commands.exportTriples(scopeOf(identity))),
    importMemory: (input, identity) =>
      translated(async () => {
        requireRole(identity, APPROVERS, 'importing facts');
        return commands.importTriples(objectInput(input), commandContextOf(identity, newId));
      }),
    runMaintenance: (_input, identity) =>
      translated(async () => {
        requireRole(identity, ADMINS, 'a maintenance pass');
        return commands.maintain(commandContextOf(identity, newId), 'request');
      }),
    runInsights: (input, identity) =>
      translated(() => queries.runInsights(scopeOf(identity), objectInput(input).runId)),
  };
}
