import type { CommandContext, InternalIdentity, OperationHandlers } from '@evalvault/platform';
import { ForeignStreamError, ServiceClientError, ServiceClientErrorCode } from '@evalvault/platform';
import { POLICY_VIOLATION_STATUS, type RunsOperations, type ScheduleOperations } from '@evalvault/service-apis';
import { RunError, RunErrorCode } from '../run/run.errors.js';
import type { RunCommands } from '../run/run.commands.js';
import { runStreamId, type RunRepository } from '../run/run.repository.js';
import {
  RunsQueryError,
  type GetCasesOptions,
  type ListRunsOptions,
  type RunsProjection,
  type RunsQueries,
} from '../projection/index.js';

/** Run errors as the gateway should see them: one table. */
const CODE_FOR: Record<RunErrorCode, ServiceClientErrorCode> = {
  [RunErrorCode.NotFound]: ServiceClientErrorCode.NotFound,
  [RunErrorCode.AlreadyExists]: ServiceClientErrorCode.Conflict,
  [RunErrorCode.NotRunning]: ServiceClientErrorCode.Conflict,
  [RunErrorCode.Incomplete]: ServiceClientErrorCode.Conflict,
  [RunErrorCode.Finished]: ServiceClientErrorCode.Conflict,
  [RunErrorCode.NotFinished]: ServiceClientErrorCode.Conflict,
  [RunErrorCode.InvalidInput]: ServiceClientErrorCode.InvalidInput,
  [RunErrorCode.PolicyViolation]: ServiceClientErrorCode.InvalidInput,
  [RunErrorCode.JudgeNotConfigured]: ServiceClientErrorCode.InvalidInput,
};

/** Refusals the public API names more precisely than the shared code: their public code and status. */
const PUBLIC_FOR: Partial<Record<RunErrorCode, { publicCode: string; status: number }>> = {
  [RunErrorCode.PolicyViolation]: { publicCode: RunErrorCode.PolicyViolation, status: POLICY_VIOLATION_STATUS },
  [RunErrorCode.JudgeNotConfigured]: { publicCode: RunErrorCode.JudgeNotConfigured, status: 422 },
};

function translated<T>(work: () => Promise<T>): Promise<T> {
  return work().catch((error: unknown) => {
    if (error instanceof RunError)
      throw new ServiceClientError(CODE_FOR[error.code], error.message, PUBLIC_FOR[error.code]);
    if (error instanceof RunsQueryError)
      throw new ServiceClientError(ServiceClientErrorCode.InvalidInput, error.message);
    if (error instanceof ForeignStreamError)
      throw ServiceClientError.foreign(`run ${error.streamId.replace(/^run-/, '')} not found`);
    throw error;
  });
}

function scopeOf(identity: InternalIdentity): { tenantId: string; projectId: string } {
  if (!identity.projectId)
    throw new ServiceClientError(
      ServiceClientErrorCode.InvalidInput,
      'runs belong to a project: the identity names none',
    );
  return { tenantId: identity.tenantId, projectId: identity.projectId };
}

/** Another tenant's run reads exactly like a missing one; only the gateway learns it was foreign, to audit it. */
async function notFound(queries: RunsQueries, identity: InternalIdentity, runId: string): Promise<never> {
  const { tenantId, projectId } = scopeOf(identity);
  const foreign = await queries.isForeign(tenantId, projectId, runId);
  throw new ServiceClientError(ServiceClientErrorCode.NotFound, `run ${runId} not found`, { foreign });
}

/**
 * Read your own writes: the run's `RunRequested` projected now rather than when the bus brings it
 * (a large run's request reached the read model up to seconds after its 202). The bus's delivery
 * later finds it in the projection's inbox and changes nothing.
 */
export function showSubmitted(runs: RunRepository, projection: RunsProjection): (runId: string) => Promise<void> {
  return async (runId) => {
    const requested = await runs.requestOf(runStreamId(runId));
    if (requested) await projection.apply(requested);
  };
}

/**
 * The runs service's operations behind the service client port; thin: one call each.
 * `showSubmitted` puts a just-submitted run into the read model at once, so the client that got
 * its id can read it before the bus delivers the event to the projection.
 */
export function runsOperationHandlers(
  commands: RunCommands,
  queries: RunsQueries,
  newId: () => string,
  showSubmitted: (runId: string) => Promise<void> = async () => undefined,
): OperationHandlers<Omit<RunsOperations, keyof ScheduleOperations>> {
  const context = (identity: InternalIdentity): CommandContext => ({
    ...scopeOf(identity),
    actor: identity.actor,
    correlationId: newId(),
    causationId: null,
  });
  return {
    submitRun: (input, identity) =>
      translated(async () => {
        const submitted = await commands.submitRun(input, context(identity));
        await showSubmitted(submitted.runId);
        return submitted;
      }),
    cancelRun: (input, identity) => translated(() => commands.cancelRun(input.runId, input.reason, context(identity))),
    retryRun: (input, identity) =>
      translated(() => commands.retryRun(input.runId, input.mode, context(identity), input.policy ?? null)),
    getRun: (input, identity) =>
      translated(async () => {
        const { tenantId, projectId } = scopeOf(identity);
        return (await queries.getRun(tenantId, projectId, input.runId)) ?? notFound(queries, identity, input.runId);
      }),
    listRuns: (input, identity) =>
      translated(() => {
        const { tenantId, projectId } = scopeOf(identity);
        // The status filter is a plain string on the wire; the queries validate it (INVALID_FILTER).
        return queries.listRuns(tenantId, projectId, input as ListRunsOptions);
      }),
    getCases: (input, identity) =>
      translated(async () => {
        const { tenantId, projectId } = scopeOf(identity);
        const { runId, ...options } = input;
        return (
          (await queries.getCases(tenantId, projectId, runId, options as GetCasesOptions)) ??
          notFound(queries, identity, runId)
        );
      }),
    compareRuns: (input, identity) =>
      translated(async () => {
        const { tenantId, projectId } = scopeOf(identity);
        const comparison = await queries.compareRuns(tenantId, projectId, input.runId, input.otherRunId);
        return 'missingRunId' in comparison ? notFound(queries, identity, comparison.missingRunId) : comparison;
      }),
  };
}
