export enum RunErrorCode {
  NotFound = 'RUN_NOT_FOUND',
  AlreadyExists = 'RUN_ALREADY_EXISTS',
  NotRunning = 'RUN_NOT_RUNNING',
  Incomplete = 'RUN_INCOMPLETE',
  Finished = 'RUN_FINISHED',
}

export class RunError extends Error {
  constructor(readonly code: RunErrorCode, message: string) {
    super(message);
    this.name = 'RunError';
  }
}
