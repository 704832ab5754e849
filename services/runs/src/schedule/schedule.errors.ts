export enum ScheduleErrorCode {
  NotFound = 'SCHEDULE_NOT_FOUND',
  InvalidInput = 'INVALID_INPUT',
  /** Paused, resumed or deleted when it already is (or was deleted). */
  WrongState = 'SCHEDULE_WRONG_STATE',
}

/** A schedule command refused; `field` names the request field at fault, for the API's problem details. */
export class ScheduleError extends Error {
  constructor(
    readonly code: ScheduleErrorCode,
    message: string,
    readonly field: string | null = null,
  ) {
    super(field ? `${field}: ${message}` : message);
    this.name = 'ScheduleError';
  }
}
