export enum RunErrorCode {
  NotFound = 'RUN_NOT_FOUND',
  AlreadyExists = 'RUN_ALREADY_EXISTS',
  NotRunning = 'RUN_NOT_RUNNING',
  Incomplete = 'RUN_INCOMPLETE',
  Finished = 'RUN_FINISHED',
  NotFinished = 'RUN_NOT_FINISHED',
  InvalidInput = 'INVALID_INPUT',
  /** The project's policy does not allow a metric or model the run names. */
  PolicyViolation = 'POLICY_VIOLATION',
  /** LLM-judged metrics asked of a service without a judge: nothing would score them. */
  JudgeNotConfigured = 'JUDGE_NOT_CONFIGURED',
}

export class RunError extends Error {
  constructor(
    readonly code: RunErrorCode,
    message: string,
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = 'RunError';
  }
}
