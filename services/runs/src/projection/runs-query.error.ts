export type RunsQueryErrorCode = 'INVALID_CURSOR' | 'INVALID_FILTER' | 'INVALID_LIMIT';

/** A query the caller got wrong (maps to 400); never a database failure. */
export class RunsQueryError extends Error {
  constructor(
    readonly code: RunsQueryErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RunsQueryError';
  }
}
