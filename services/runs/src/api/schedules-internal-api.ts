import {
  ForeignStreamError,
  ServiceClientError,
  ServiceClientErrorCode,
  type CommandContext,
  type InternalIdentity,
  type OperationHandlers,
} from '@evalvault/platform';
import type { ScheduleOperations } from '@evalvault/service-apis';
import type { ScheduleCommands } from '../schedule/schedule.commands.js';
import { ScheduleError, ScheduleErrorCode } from '../schedule/schedule.errors.js';
import type { ScheduleQueries } from '../schedule/schedule.queries.js';

const CODE_FOR: Record<ScheduleErrorCode, ServiceClientErrorCode> = {
  [ScheduleErrorCode.NotFound]: ServiceClientErrorCode.NotFound,
  [ScheduleErrorCode.InvalidInput]: ServiceClientErrorCode.InvalidInput,
  [ScheduleErrorCode.WrongState]: ServiceClientErrorCode.Conflict,
};

function translated<T>(work: () => Promise<T>): Promise<T> {
  return work().catch((error: unknown) => {
    if (error instanceof ScheduleError) throw new ServiceClientError(CODE_FOR[error.code], error.message);
    if (error instanceof ForeignStreamError)
      throw ServiceClientError.foreign(`schedule ${error.streamId.replace(/^schedule-/, '')} not found`);
    throw error;
  });
}

/** The schedule operations behind the service client port; thin: one call each. */
export function scheduleOperationHandlers(
  commands: ScheduleCommands,
  queries: ScheduleQueries,
  newId: () => string,
): OperationHandlers<ScheduleOperations> {
  const context = (identity: InternalIdentity): CommandContext => {
    if (!identity.projectId)
      throw new ServiceClientError(
        ServiceClientErrorCode.InvalidInput,
        'schedules belong to a project: the identity names none',
      );
    return {
      tenantId: identity.tenantId,
      projectId: identity.projectId,
      actor: identity.actor,
      correlationId: newId(),
      causationId: null,
    };
  };
  return {
    createSchedule: (input, identity) => translated(() => commands.create(input, context(identity))),
    listSchedules: (_input, identity) => translated(async () => ({ items: await queries.list(context(identity)) })),
    getSchedule: (input, identity) => translated(() => queries.get(context(identity), input.scheduleId)),
    pauseSchedule: (input, identity) =>
      translated(() => commands.pause(input.scheduleId, input.reason ?? null, context(identity))),
    resumeSchedule: (input, identity) => translated(() => commands.resume(input.scheduleId, context(identity))),
    deleteSchedule: (input, identity) => translated(() => commands.delete(input.scheduleId, context(identity))),
  };
}
